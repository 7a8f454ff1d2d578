import type { KeyPair, Role } from '@agentmesh/protocol'

export interface MeshOptions {
  /** Sign in with this key (challenge → signature → session token). */
  key?: KeyPair
  /** Or use an existing session token, such as the admin token. */
  token?: string
  /**
   * Roles to sign in with (default: client). A known key must hold them (on an open node it may add
   * client and agent itself); a new key registers itself with them, client and agent only.
   */
  roles?: Role[]
  /** Per-request time limit. */
  requestTimeoutMs?: number
}

export interface NodeInfo {
  did: string
  version: string
  mode: 'embedded' | 'cluster'
  store: 'sqlite' | 'postgres'
  currencies: string[]
}

/** The node's task figures over the last minute (`GET /v1/stats`). */
export interface NodeStats {
  at: string
  windowMs: number
  tasksPerSecond: number
  finished: number
  errors: number
  errorRate: number | null
  latencyMs: { p50: number | null; p95: number | null; p99: number | null }
  inFlight: number
  agentsOnline: number
  /** One point per second of the window, oldest first. */
  series: { at: string; finished: number; errors: number; p95LatencyMs: number | null }[]
}
