import {
  authChallengeBytes,
  fromBase64url,
  isDid,
  MeshError,
  sha256,
  toBase64url,
  toHex,
  utf8,
  verifyBytes,
  type Role,
} from '@agentmesh/protocol'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Bus } from '../ports/bus.js'
import { CacheDrops } from '../cache-drops.js'
import { AUTH_CHANGED, authChange, type AuthChange } from './auth-changes.js'
import type { Clock } from '../ports/clock.js'
import type { AuthStores, Principal } from './auth-store.js'
import type { Caller } from './caller.js'
import type { Random } from '../ports/random.js'
import { RecentCache } from '../recent-cache.js'
import { removePrincipal } from './principal-removal.js'
import { rolesToAdd } from './sign-in-roles.js'

export interface AuthOptions {
  /** The node's own DID: challenges are bound to it. */
  nodeDid: string
  /** When true, unknown keys may not register themselves. */
  closed: boolean
  nonceTtlMs: number
  sessionTtlMs: number
  /** How long a looked-up token is trusted without the database (default `CALLER_CACHE_MS`). */
  cacheMs?: number
}

export interface IssuedToken {
  token: string
  expiresAtMs: number | null
  roles: Role[]
}

const TOKEN_PREFIX = 'amt_'

/**
 * How long a token, once looked up, is trusted without the database: every request authenticates.
 * Revocations and role changes apply at once on this node and, through the bus, on the others;
 * a bus message lost leaves them to this expiry.
 */
export const CALLER_CACHE_MS = 1000
const MAX_CACHED_CALLERS = 10_000

/** Hashes a bearer token for storage; the token itself is never stored. */
export function hashToken(token: string): string {
  return toHex(sha256(utf8(token)))
}

/**
 * Authentication: a principal proves its key once (challenge → signature), then carries an opaque
 * session token. Nonces are single-use and expire; tokens are 256-bit random, expire, and can be
 * revoked.
 */
export class AuthService {
  readonly #store: AuthStores
  readonly #clock: Clock
  readonly #random: Random
  readonly #options: AuthOptions
  readonly #audit: AuditSink | undefined

  readonly #onRegistered: ((did: string) => Promise<void>) | undefined
  readonly #onRemoved: ((did: string) => void) | undefined
  /** Recently authenticated tokens by hash: the caller, the token's expiry, when looked up. */
  readonly #callers: RecentCache<string, { caller: Caller; expiresAtMs: number | null }>
  readonly #drops: CacheDrops<AuthChange>

  /** With `audit`, every sign-in (granted or denied) and every change of roles is recorded. */
  constructor(
    deps: {
      store: AuthStores
      clock: Clock
      random: Random
      audit?: AuditSink
      /** Called once when a key registers itself (the node mints the `--grant` here). */
      onRegistered?: (did: string) => Promise<void>
      /**
       * Called when an admin removed a principal (to drop its permissions, close its sockets), on
       * every node of a cluster.
       */
      onRemoved?: (did: string) => void
      /** Where revocations and role changes are told to the other nodes, which drop their caches. */
      bus?: Bus
    },
    options: AuthOptions,
  ) {
    this.#store = deps.store
    this.#onRegistered = deps.onRegistered
    this.#onRemoved = deps.onRemoved
    this.#clock = deps.clock
    this.#random = deps.random
    this.#audit = deps.audit
    this.#options = options
    this.#callers = new RecentCache(options.cacheMs ?? CALLER_CACHE_MS, MAX_CACHED_CALLERS)
    this.#drops = new CacheDrops(deps.bus, AUTH_CHANGED, authChange, (change) => {
      if (change.tokenHash !== undefined) this.#callers.delete(change.tokenHash)
      if (change.did === undefined) return
      const did = change.did
      this.#callers.deleteWhere((entry) => entry.caller.did === did)
      if (change.removed) this.#onRemoved?.(did)
    })
  }

  /** Hands out a fresh nonce for `did` to sign. */
  async challenge(did: string): Promise<{ nonce: string; expiresAtMs: number; node: string }> {
    if (!isDid(did))
      throw new MeshError('INVALID_DID', `DID "${String(did)}" is not an Ed25519 did:key`)
    const now = this.#clock.now()
    await this.#store.nonces.deleteExpired(now)
    const nonce = toBase64url(this.#random.bytes(32))
    const expiresAtMs = now + this.#options.nonceTtlMs
    await this.#store.nonces.insert({ nonce, did, expiresAtMs })
    return { nonce, expiresAtMs, node: this.#options.nodeDid }
  }

  /**
   * Exchanges a signed nonce for a session token. The nonce is consumed whatever the outcome. An
   * unknown key registers itself with `requestedRoles` (client and agent only) unless the node is
   * closed.
   */
  async login(input: {
    did: string
    nonce: string
    signature: string
    roles?: Role[]
  }): Promise<IssuedToken> {
    const resource = `principal:${input.did}`
    let issued: IssuedToken
    try {
      issued = await this.#login(input)
    } catch (error) {
      const code = error instanceof MeshError ? error.code : 'INTERNAL'
      await this.#audit?.record({
        actor: input.did,
        action: 'auth.login',
        resource,
        result: code === 'INTERNAL' ? 'error' : 'denied',
        details: { code },
      })
      throw error
    }
    await this.#audit?.record({
      actor: input.did,
      action: 'auth.login',
      resource,
      result: 'ok',
      details: { roles: issued.roles },
    })
    return issued
  }

  async #login(input: {
    did: string
    nonce: string
    signature: string
    roles?: Role[]
  }): Promise<IssuedToken> {
    const stored = await this.#store.nonces.take(input.nonce)
    if (!stored || stored.did !== input.did) {
      throw new MeshError(
        'NONCE_INVALID',
        'Nonce is unknown, already used, or issued to another DID',
      )
    }
    if (stored.expiresAtMs <= this.#clock.now()) {
      throw new MeshError('NONCE_EXPIRED', 'Nonce has expired: ask for a new challenge')
    }
    let signature: Uint8Array
    try {
      signature = fromBase64url(input.signature)
    } catch (cause) {
      throw new MeshError('SIGNATURE_INVALID', 'Signature is not base64url', { cause })
    }
    const message = authChallengeBytes(this.#options.nodeDid, input.nonce)
    if (!verifyBytes(signature, message, input.did)) {
      throw new MeshError('SIGNATURE_INVALID', `Signature does not verify for "${input.did}"`)
    }
    const roles = await this.#rolesFor(input.did, input.roles ?? ['client'])
    return this.issue(input.did, this.#options.sessionTtlMs, roles)
  }

  async #rolesFor(did: string, requested: Role[]): Promise<Role[]> {
    const existing = await this.#store.principals.get(did)
    const missing = rolesToAdd(did, existing, requested, this.#options.closed)
    if (existing && missing.length === 0) return existing.roles
    const roles = [...(existing?.roles ?? []), ...missing]
    await this.#store.principals.put({
      did,
      roles,
      createdAtMs: existing?.createdAtMs ?? this.#clock.now(),
    })
    await this.#drops.changed({ did })
    await this.#recordRoles(did, did, existing?.roles ?? [], roles)
    if (!existing) await this.#onRegistered?.(did)
    return roles
  }

  /** Issues a session token for a known principal; `ttlMs` null means it does not expire. */
  async issue(did: string, ttlMs: number | null, roles?: Role[]): Promise<IssuedToken> {
    const principal = roles ? undefined : await this.#store.principals.get(did)
    const grantedRoles = roles ?? principal?.roles
    if (!grantedRoles)
      throw new MeshError('PRINCIPAL_NOT_FOUND', `Principal "${did}" is not registered`)
    const now = this.#clock.now()
    const token = TOKEN_PREFIX + toBase64url(this.#random.bytes(32))
    const expiresAtMs = ttlMs === null ? null : now + ttlMs
    await this.#store.sessions.insert({
      tokenHash: hashToken(token),
      did,
      createdAtMs: now,
      expiresAtMs,
      revokedAtMs: null,
    })
    return { token, expiresAtMs, roles: grantedRoles }
  }

  /** Resolves a bearer token to its caller, or throws 401. */
  async authenticate(token: string | undefined): Promise<Caller> {
    if (!token) throw new MeshError('UNAUTHENTICATED', 'A bearer token is required')
    if (!token.startsWith(TOKEN_PREFIX))
      throw new MeshError('TOKEN_INVALID', 'Token is not known to this node')
    const hash = hashToken(token)
    const now = this.#clock.now()
    const readAt = this.#callers.generation
    const cached = this.#callers.get(hash, now)
    if (cached) {
      if (cached.expiresAtMs !== null && cached.expiresAtMs <= now) {
        throw new MeshError('TOKEN_EXPIRED', 'Token has expired: sign in again')
      }
      return { did: cached.caller.did, roles: [...cached.caller.roles] }
    }
    const session = await this.#store.sessions.get(hash)
    if (!session) throw new MeshError('TOKEN_INVALID', 'Token is not known to this node')
    if (session.revokedAtMs !== null) throw new MeshError('TOKEN_INVALID', 'Token has been revoked')
    if (session.expiresAtMs !== null && session.expiresAtMs <= now) {
      throw new MeshError('TOKEN_EXPIRED', 'Token has expired: sign in again')
    }
    const principal = await this.#store.principals.get(session.did)
    if (!principal) throw new MeshError('TOKEN_INVALID', 'Token belongs to a removed principal')
    const caller = { did: principal.did, roles: principal.roles }
    this.#callers.set(hash, { caller, expiresAtMs: session.expiresAtMs }, now, readAt)
    return { did: caller.did, roles: [...caller.roles] }
  }

  /** Revokes a token; later requests with it get 401. */
  async revoke(token: string): Promise<boolean> {
    const hash = hashToken(token)
    const revoked = await this.#store.sessions.revoke(hash, this.#clock.now())
    await this.#drops.changed({ tokenHash: hash })
    return revoked
  }

  /** Makes sure a principal exists with at least these roles (used for the node's admin). */
  async ensurePrincipal(did: string, roles: Role[]): Promise<void> {
    const existing = await this.#store.principals.get(did)
    const missing = roles.filter((role) => !existing?.roles.includes(role))
    if (existing && missing.length === 0) return
    await this.setRoles(did, [...(existing?.roles ?? []), ...missing])
  }

  /**
   * Registers a key with exactly these roles, or replaces the roles of a known one (admin only).
   * `actor` is who asked, for the audit log (default: the node itself).
   */
  async setRoles(did: string, roles: Role[], actor = this.#options.nodeDid): Promise<Principal> {
    if (!isDid(did))
      throw new MeshError('INVALID_DID', `DID "${String(did)}" is not an Ed25519 did:key`)
    const existing = await this.#store.principals.get(did)
    const principal = {
      did,
      roles: [...new Set(roles)],
      createdAtMs: existing?.createdAtMs ?? this.#clock.now(),
    }
    await this.#store.principals.put(principal)
    await this.#drops.changed({ did })
    await this.#recordRoles(actor, did, existing?.roles ?? [], principal.roles)
    return principal
  }

  /** Removes a principal (admin): its sessions end at once, cached ones too; its permissions go. */
  async remove(did: string, actor: string): Promise<void> {
    const deps = { store: this.#store, clock: this.#clock, audit: this.#audit }
    await removePrincipal({ ...deps, nodeDid: this.#options.nodeDid }, did, actor)
    await this.#drops.changed({ did, removed: true })
  }

  async #recordRoles(actor: string, did: string, from: Role[], to: Role[]): Promise<void> {
    await this.#audit?.record({
      actor,
      action: 'principal.roles',
      resource: `principal:${did}`,
      result: 'ok',
      details: { from, to },
    })
  }
}

/** Throws 403 unless the caller holds one of `roles`. */
export function requireRole(caller: Caller, ...roles: Role[]): void {
  if (!roles.some((role) => caller.roles.includes(role))) {
    throw new MeshError('FORBIDDEN', `This needs the role ${roles.join(' or ')}`)
  }
}
