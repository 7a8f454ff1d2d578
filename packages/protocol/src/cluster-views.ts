/**
 * The cluster as `GET /v1/cluster` answers it (admin, cluster mode): the one declaration the
 * server builds it to and the SDK, the CLI and the dashboard read it as.
 */

/** One node of the cluster, as the others last heard of it. */
export interface ClusterNodeView {
  /** The node's id within the cluster (stable across restarts of the same data directory). */
  id: string
  did: string
  /** Where its HTTP API listens, as it announced. */
  url: string
  startedAt: string
  /** Its last heartbeat. */
  lastSeenAt: string
  state: 'up' | 'draining' | 'gone'
  /** Agents connected to it now. */
  agents: string[]
  /** Tasks running on its agents now. */
  inFlight: number
  /** How many tasks its agents can run at once (their concurrency summed). */
  capacity: number
  /** In-flight work over capacity, 0 when it has no capacity; above 1 when over capacity. */
  load: number
  /** Unfinished tasks whose lease it holds. */
  leases: number
}

/** One unfinished task's lease: the node that owns it and the fencing epoch it holds. */
export interface ClusterLeaseView {
  taskId: string
  ownerId: string
  epoch: number
  expiresAt: string
}

/** The whole cluster. `recommendation` follows `load` and `forecast`: above 0.8 scale out, below 0.3 scale in. */
export interface ClusterView {
  /** The node that answered. */
  nodeId: string
  nodes: ClusterNodeView[]
  /** In-flight work over capacity across every node that is up. */
  load: number
  recommendation: 'scale_out' | 'scale_in' | 'steady'
  /**
   * The load a short while ahead (Holt's linear trend over the heartbeats' loads); the
   * recommendation scales out when either the load or this forecast is above 0.8, and in only when
   * both are below 0.3. Absent before two heartbeats, and from older nodes.
   */
  forecast?: { load: number; horizonMs: number; trendPerMinute: number }
  /** The unfinished tasks' leases, at most the first 100 by expiry. */
  leases: ClusterLeaseView[]
}
