import { HttpWitnessPeer } from '../adapters/witness/http-witness-peer.js'
import { P2pWitnessPeer } from '../adapters/witness/p2p-witness.js'
import { systemRandom } from '../adapters/system/system-random.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import { HeadCosigner } from '../core/audit/head-cosigner.js'
import { Witness } from '../core/audit/witness.js'
import { CertificateService } from '../core/certificates/certificate-service.js'
import type { AuditSink } from '../core/ports/audit-sink.js'
import type { ScheduledJob } from '../core/ports/scheduler.js'
import type { WitnessPeer } from '../core/ports/witness-peer.js'
import type { NodeBase } from './base.js'
import type { Federation } from './federation-host.js'
import type { NodeModule } from './lifecycle.js'

/**
 * Proof across operators: this node as a witness of other nodes' tree heads, the cosigner that
 * has the configured witnesses (`AGENTMESH_WITNESSES`: URLs over HTTP, DIDs of federation peers
 * over libp2p) cosign this node's heads on a timer, and
 * the quorum certificates its validators sign.
 */
export function proofsModule(
  base: NodeBase,
  deps: {
    audit: AuditLog
    auditSink: AuditSink
    /** The federation, once the node federates: witnesses named by DID are asked over it. */
    federation: () => Federation | undefined
  },
) {
  const { config, store, clock, key, logger, scheduler } = base
  const http = config.witnesses.urls.map(
    (url) => new HttpWitnessPeer(url, key, { requestTimeoutMs: 10_000 }),
  )
  const peers: WitnessPeer[] = [
    ...http,
    ...config.witnesses.dids.map((did) => new P2pWitnessPeer(did, deps.federation)),
  ]
  const cosigner = new HeadCosigner({ peers, store: store.witness, heads: deps.audit, logger })
  let job: ScheduledJob | undefined
  return {
    name: 'proofs',
    proofs: {
      witness: new Witness({ store: store.witness, clock, key, audit: deps.auditSink }),
      cosigner,
      certificates: new CertificateService({
        store: store.certificates,
        principals: store.principals,
        tasks: store.tasks,
        audit: deps.auditSink,
        clock,
        random: systemRandom,
      }),
    },
    start() {
      if (peers.length === 0) return
      job = scheduler.every('cosigning the audit head', config.witnesses.intervalMs, () =>
        cosigner.cosignLatest().then(() => undefined),
      )
    },
    async stop() {
      job?.stop()
      await Promise.all(http.map((peer) => peer.close()))
    },
  } satisfies NodeModule & Record<string, unknown>
}
