import { createHash } from 'node:crypto'
import { Kvm } from '@nats-io/kv'
import type { KeyPair } from '@agentmesh/protocol'
import { NatsBus } from '../adapters/bus/nats/nats-bus.js'
import { connectNats, type NatsLink } from '../adapters/bus/nats/nats-connection.js'
import { claimNodeId } from '../adapters/cluster/node-id-claim.js'
import { NodeDirectory } from '../adapters/cluster/node-directory.js'
import { NatsPresenceStore } from '../adapters/presence/nats-presence-store.js'
import { connectPostgres } from '../adapters/store/postgres/connect.js'
import { HostedLeaseStore } from '../adapters/store/hosted-lease-store.js'
import { TaskLeaseStore } from '../adapters/store/task-lease-store.js'
import type { ClusterConfig } from '../cluster-config.js'
import type { Clock } from '../core/ports/clock.js'
import type { Logger } from '../core/ports/logger.js'
import type { StoreLocation } from '../adapters/store/open-store.js'
import type { NodeModule } from './lifecycle.js'

/** A node's id in its cluster: from its DID, so the same data directory keeps it. */
export const clusterNodeId = (did: string): string =>
  `n${createHash('sha256').update(did).digest('hex').slice(0, 12)}`

/**
 * Joins the cluster's NATS and PostgreSQL: the bus every node shares, the node directory and
 * presence buckets (KV, with bucket TTL; expiry markers where the server has them, 2.11+), and the
 * task and hosted-agent leases; refuses to join under a node id a running process holds.
 * Stopping leaves the directory and closes the connections.
 */
export function clusterNetwork(input: {
  cluster: ClusterConfig
  store: StoreLocation
  key: KeyPair
  presenceTtlMs: number
  clock: Clock
  logger: Logger
}) {
  const { cluster, logger, clock } = input
  const nodeId = clusterNodeId(input.key.did)
  let link: NatsLink | undefined
  let closeDb = async () => {}
  const module = {
    name: 'cluster network',
    nodeId,
    link: undefined as unknown as NatsLink,
    bus: undefined as unknown as NatsBus,
    directory: undefined as unknown as NodeDirectory,
    presence: undefined as unknown as NatsPresenceStore,
    leases: undefined as unknown as TaskLeaseStore,
    hostedLeases: undefined as unknown as HostedLeaseStore,
    async start() {
      try {
        await module.join()
      } catch (error) {
        await module.stop().catch(() => {})
        throw error
      }
    },
    async join() {
      if (input.store.kind !== 'postgres') throw new Error('A cluster needs a PostgreSQL store')
      link = await connectNats(cluster.busUrl, `agentmesh ${nodeId}`)
      module.link = link
      logger.info({ nats: link.version, expiryMarkers: link.expiryMarkers }, 'joined NATS')
      const kvm = new Kvm(link.nc)
      const markers = link.expiryMarkers ? { markerTTL: 1000 } : {}
      // Missed heartbeats under load are common: a node is gone after four, and never before 5 s.
      const staleMs = Math.max(5000, 4 * cluster.heartbeatMs)
      const nodesKv = await kvm.create(`${cluster.name}-nodes`, {
        history: 1,
        ttl: Math.max(60_000, 10 * staleMs),
        ...markers,
      })
      await claimNodeId(link.nc, nodesKv, { cluster: cluster.name, nodeId })
      const presenceKv = await kvm.create(`${cluster.name}-presence`, {
        history: 1,
        ttl: 3 * Math.max(input.presenceTtlMs, cluster.heartbeatMs),
        ...markers,
      })
      module.bus = new NatsBus(link.nc, `am.${cluster.name}`, (error, topic) =>
        logger.error({ err: error, topic }, 'bus handler failed'),
      )
      module.directory = new NodeDirectory(nodesKv, { selfId: nodeId, staleMs, logger })
      await module.directory.start()
      module.presence = new NatsPresenceStore(
        presenceKv,
        nodeId,
        (id) => module.directory.alive(id, clock.now()),
        logger,
      )
      await module.presence.start()
      const schema = input.store.schema === undefined ? {} : { schema: input.store.schema }
      const db = await connectPostgres(input.store.url, { ...schema, maxConnections: 4 })
      // Renewals and take-overs on connections of their own, never queued behind task writes.
      const keeper = await connectPostgres(input.store.url, { ...schema, maxConnections: 2 })
      closeDb = () => Promise.all([db.destroy(), keeper.destroy()]).then(() => {})
      module.leases = new TaskLeaseStore(db, keeper)
      module.hostedLeases = new HostedLeaseStore(keeper)
    },
    async stop() {
      module.presence?.stop()
      await module.directory?.leave()
      await module.bus?.stop()
      await link?.close()
      await closeDb()
    },
  } satisfies NodeModule & Record<string, unknown>
  return module
}
