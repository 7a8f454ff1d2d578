import { MeshError } from '@agentmesh/protocol'

/** How a node joins a cluster (`--bus nats://…`); undefined for an embedded node. */
export interface ClusterConfig {
  /** The NATS server(s), comma-separated `nats://host:port` URLs. */
  busUrl: string
  /**
   * The cluster's name (`--cluster`, `AGENTMESH_CLUSTER`, default `agentmesh`): it prefixes every
   * NATS subject, stream and KV bucket, so clusters (and test runs) on one NATS stay apart.
   */
  name: string
  /** How long a node's lease on a task lasts unless renewed (`AGENTMESH_LEASE_MS`, 10 s). */
  leaseMs: number
  /** How often a node announces itself and refreshes its agents' presence (`AGENTMESH_CLUSTER_HEARTBEAT_MS`). */
  heartbeatMs: number
  /** A node's reservations younger than this are never taken for orphans by another (2 × lease). */
  orphanGraceMs: number
}

type IntegerEnv = (name: string, fallback: number, min: number, max: number) => number

/**
 * Checks the cluster settings (node-config.ts reads them): `--bus` / `AGENTMESH_BUS` (a `nats://` URL; `memory` or nothing is
 * the in-process bus), `--cluster` / `AGENTMESH_CLUSTER`, `AGENTMESH_LEASE_MS`,
 * `AGENTMESH_CLUSTER_HEARTBEAT_MS`. A cluster needs PostgreSQL: every node shares its tables.
 */
export function clusterConfig(
  given: { bus: string | undefined; cluster: string | undefined },
  storeKind: 'sqlite' | 'postgres',
  integerEnv: IntegerEnv,
): ClusterConfig | undefined {
  const bus = given.bus
  if (bus === undefined || bus === '' || bus === 'memory') return undefined
  const urls = bus.split(',').map((u) => u.trim())
  if (!urls.every((u) => /^nats:\/\/[^\s/]+(:\d+)?\/?$/.test(u)))
    throw new MeshError('INVALID_INPUT', `Bus "${bus}" is not "memory" or nats://HOST:PORT URLs`)
  if (storeKind !== 'postgres')
    throw new MeshError(
      'INVALID_INPUT',
      `Bus "${bus}" makes a cluster, which needs a shared PostgreSQL store: give --store postgres://…`,
    )
  const name = given.cluster ?? 'agentmesh'
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(name))
    throw new MeshError(
      'INVALID_INPUT',
      `Cluster name "${name}" is not 1 to 32 letters, digits, "-" or "_"`,
    )
  const leaseMs = integerEnv('AGENTMESH_LEASE_MS', 10_000, 300, 600_000)
  const heartbeatMs = integerEnv(
    'AGENTMESH_CLUSTER_HEARTBEAT_MS',
    Math.min(2000, Math.floor(leaseMs / 3)),
    50,
    60_000,
  )
  return { busUrl: urls.join(','), name, leaseMs, heartbeatMs, orphanGraceMs: 2 * leaseMs }
}
