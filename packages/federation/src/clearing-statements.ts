import {
  canonicalize,
  formatAmount,
  MeshError,
  signJws,
  verifyJws,
  type ClearingStatement,
  type FederationPeerView,
} from '@agentmesh/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import type { FederationHost } from 'agentmesh/internal'
import type { Clearing } from './clearing.js'
import type { FederatedIndex } from './federated-index.js'
import type { PeerNode } from './libp2p-node.js'
import type { PeerBook } from './peer-book.js'
import { peerIdOfDid } from './peer-identity.js'
import { requestPeer } from './request-response.js'

/** The stream protocol a peer countersigns a clearing statement on. */
export const STATEMENT_PROTOCOL = '/agentmesh/clearing/1'

type Statement = ClearingStatement['statement']

interface StatementDeps {
  host: FederationHost
  libp2p: PeerNode
  clearing: Clearing
  peers: PeerBook
  index: FederatedIndex
}

/**
 * Net clearing statements: this node draws one up from its ledger (posted balances only, so tasks
 * in flight do not count), signs it, and asks the peer to countersign; the peer signs only when
 * its own ledger shows the same net the other way round.
 */
export class ClearingStatements {
  readonly #deps: StatementDeps

  constructor(deps: StatementDeps) {
    this.#deps = deps
  }

  async draw(peerDid: string): Promise<ClearingStatement> {
    const { host, libp2p, clearing } = this.#deps
    const net = await clearing.net(peerDid, { postedOnly: true })
    const statement: Statement = {
      from: host.key.did,
      to: peerDid,
      currency: clearing.currency,
      net: formatAmount(net),
      receipts: this.#deps.peers.view(peerDid).tasks,
      at: new Date(host.clock.now()).toISOString(),
    }
    const from = signJws(statement, host.key)
    const to = await requestPeer(
      libp2p,
      peerIdFromString(peerIdOfDid(peerDid)),
      STATEMENT_PROTOCOL,
      from,
      {
        signal: AbortSignal.timeout(10_000),
        maxBytes: 64 * 1024,
      },
    )
    const { payload } = verifyJws<Statement>(to as string, peerDid)
    if (canonicalize(payload) !== canonicalize(statement)) {
      throw new MeshError('SIGNATURE_INVALID', `Peer "${peerDid}" countersigned another statement`)
    }
    await host.audit.record({
      actor: host.key.did,
      action: 'federation.statement',
      resource: `peer:${peerDid}`,
      result: 'ok',
      details: { net: statement.net, currency: statement.currency },
    })
    return { statement, signatures: { from, to: to as string } }
  }

  /** Countersigns a peer's statement when this ledger agrees with its net. */
  async countersign(body: unknown, peerDid: string): Promise<string> {
    const { host, clearing } = this.#deps
    const { payload } = verifyJws<Statement>(body as string, peerDid)
    if (
      payload.from !== peerDid ||
      payload.to !== host.key.did ||
      payload.currency !== clearing.currency
    ) {
      throw new MeshError('INVALID_INPUT', 'Clearing statement names other nodes or currency')
    }
    const mine = await clearing.net(peerDid, { postedOnly: true })
    if (formatAmount(-mine) !== payload.net) {
      throw new MeshError(
        'FEDERATION_STATEMENT_MISMATCH',
        `Clearing statement says ${payload.net} ${payload.currency}; this ledger says ${formatAmount(-mine)}`,
      )
    }
    return signJws(payload, host.key)
  }

  /** One peer as `GET /v1/federation` shows it. */
  async peerView(did: string, connected: boolean): Promise<FederationPeerView> {
    const { clearing, peers, index, host } = this.#deps
    const now = host.clock.now()
    return {
      did,
      peerId: index.peerIdOf(did) ?? peerIdOfDid(did),
      zone: peers.zone(did),
      connected,
      latencyMs: peers.latencyOf(did),
      capabilities: index.capabilityCount(did, now),
      reputation: peers.view(did),
      clearing: {
        currency: clearing.currency,
        net: formatAmount(await clearing.net(did, { postedOnly: true })),
        creditLimit: formatAmount(clearing.limit(did)),
      },
    }
  }
}
