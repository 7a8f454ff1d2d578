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
  /** Removes the principal; answers whether it existed. */
  delete(did: string): Promise<boolean>
}

export interface SessionStore {
  insert(session: Session): Promise<void>
  get(tokenHash: string): Promise<Session | undefined>
  /** Marks the session revoked; answers whether a live session was revoked. */
  revoke(tokenHash: string, atMs: number): Promise<boolean>
  /** Revokes every live session of `did`; answers how many. */
  revokeAll(did: string, atMs: number): Promise<number>
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
  readonly permissions: PermissionStore
}

/**
 * A permission an admin granted a principal: an action on a kind of resource, within a scope,
 * until an optional expiry (see `core/auth/permission-service.ts` for what each kind means).
 */
export interface Permission {
  id: string
  did: string
  resource: string
  action: string
  /** Limits of the grant, e.g. `{ capability: 'text.*', maxPrice: '0.01' }`; none: the whole kind. */
  scope: Record<string, string>
  expiresAtMs: number | null
  grantedBy: string
  grantedAtMs: number
}

/** Permissions as stored, by principal. */
export interface PermissionStore {
  insert(permission: Permission): Promise<void>
  /** The principal's permissions, expired ones included, oldest first. */
  list(did: string): Promise<Permission[]>
  /** Removes one of the principal's permissions; answers whether it existed. */
  delete(did: string, id: string): Promise<boolean>
  /** Removes all of the principal's permissions (the principal was removed). */
  deleteAll(did: string): Promise<void>
}
