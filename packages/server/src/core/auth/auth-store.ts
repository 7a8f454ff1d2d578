import type { Role } from '@agentmesh/protocol'

/** A key known to the node, with what it may do. */
export interface Principal {
  did: string
  roles: Role[]
  createdAtMs: number
}

/** A session: a bearer token, stored only as its SHA-256 hash. */
export interface Session {
  tokenHash: string
  did: string
  createdAtMs: number
  /** `null` for a session that does not expire (the admin token). */
  expiresAtMs: number | null
  revokedAtMs: number | null
}

/** A challenge handed out to a DID, consumed by the first attempt to answer it. */
export interface Nonce {
  nonce: string
  did: string
  expiresAtMs: number
}

export interface PrincipalStore {
  get(did: string): Promise<Principal | undefined>
  /** Inserts the principal, or, when it exists, sets its roles. */
  put(principal: Principal): Promise<void>
}

export interface SessionStore {
  insert(session: Session): Promise<void>
  get(tokenHash: string): Promise<Session | undefined>
  /** Marks the session revoked; answers whether a live session was revoked. */
  revoke(tokenHash: string, atMs: number): Promise<boolean>
}

export interface NonceStore {
  insert(nonce: Nonce): Promise<void>
  /** Removes and returns the nonce in one step, so that it can be used only once. */
  take(nonce: string): Promise<Nonce | undefined>
  /** Removes the nonces that expired before `nowMs`; answers how many. */
  deleteExpired(nowMs: number): Promise<number>
}

/** The stores authentication reads and writes. */
export interface AuthStores {
  readonly principals: PrincipalStore
  readonly sessions: SessionStore
  readonly nonces: NonceStore
}
