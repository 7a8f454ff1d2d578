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
