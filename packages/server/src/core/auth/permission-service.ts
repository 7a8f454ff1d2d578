import { formatAmount, MeshError, parseAmount } from '@agentmesh/protocol'
import { newId } from '../ids.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Bus } from '../ports/bus.js'
import { CacheDrops, stringField } from '../cache-drops.js'
import type { Clock } from '../ports/clock.js'
import type { Permission, PermissionStore, PrincipalStore } from './auth-store.js'
import type { Random } from '../ports/random.js'
import { RecentCache } from '../recent-cache.js'
import type { Caller } from './caller.js'

/**
 * The kinds of permission, as `resource.action`, with the scope keys each takes:
 * - `capability.call` limits the tasks a principal may submit (by any route: REST, pipelines, A2A,
 *   MCP): `capability` (an id, `prefix.*` or `*`), `maxPrice` (the task's max price, at most),
 *   `currency` (only in this currency);
 * - `validator.validate` lets a principal answer `verify: {mode: "validator"}` checks: `capability`.
 */
export const permissionKinds: Record<string, { action: string; scope: readonly string[] }> = {
  capability: { action: 'call', scope: ['capability', 'maxPrice', 'currency'] },
  validator: { action: 'validate', scope: ['capability'] },
}

/** What an admin grants; the scope's keys depend on the kind (see `permissionKinds`). */
export interface PermissionGrant {
  resource: string
  action: string
  scope?: Record<string, string>
  expiresAtMs?: number | null
}

/** A call as a permission sees it. */
export interface CallRequest {
  capability: string
  maxPriceMicros: bigint
  currency: string
}

/** How long a principal's permissions, once read, are used without the database (by default). */
const PERMISSION_CACHE_MS = 1000
/** The bus topic of permission changes (`{did}`): every node drops what it caches of them. */
const PERMISSIONS_CHANGED = 'permissions.changed'
const MAX_PERMISSIONS = 100

/** Whether `pattern` (an id, `prefix.*`, `*`, or none) covers the capability `id`. */
function capabilityMatches(pattern: string | undefined, id: string): boolean {
  if (pattern === undefined || pattern === '*') return true
  if (pattern.endsWith('.*')) return id.startsWith(pattern.slice(0, -1))
  return pattern === id
}

function covers(grant: Permission, call: CallRequest): boolean {
  const { capability, maxPrice, currency } = grant.scope
  if (!capabilityMatches(capability, call.capability)) return false
  if (currency !== undefined && currency !== call.currency) return false
  return maxPrice === undefined || call.maxPriceMicros <= parseAmount(maxPrice)
}

/**
 * Permissions beside roles. One rule for every kind: a principal with no permission of a kind acts
 * by its roles (any principal may call; the `validator` role validates anything); a principal with
 * one or more is limited to what its live ones cover — an expired one covers nothing, so a
 * principal whose only grant expired is refused, not freed. Expiry is checked against the clock at
 * each use. A grant or revocation drops the principal's cached permissions on every node (a bus
 * message); were the message lost, they are re-read at most `cacheMs` after the change.
 */
export class PermissionService {
  readonly #permissions: PermissionStore
  readonly #principals: PrincipalStore
  readonly #clock: Clock
  readonly #random: Random
  readonly #audit: AuditSink
  readonly #cache: RecentCache<string, Permission[]>
  readonly #drops: CacheDrops<{ did: string }>

  constructor(deps: {
    permissions: PermissionStore
    principals: PrincipalStore
    clock: Clock
    random: Random
    audit: AuditSink
    /** Where changes are told to the other nodes of a cluster. */
    bus?: Bus
    /** How long permissions read serve without the database (default 1 s). */
    cacheMs?: number
  }) {
    this.#permissions = deps.permissions
    this.#principals = deps.principals
    this.#clock = deps.clock
    this.#random = deps.random
    this.#audit = deps.audit
    this.#cache = new RecentCache(deps.cacheMs ?? PERMISSION_CACHE_MS, 10_000)
    this.#drops = new CacheDrops(
      deps.bus,
      PERMISSIONS_CHANGED,
      (body) => {
        const did = stringField(body, 'did')
        return did === undefined ? undefined : { did }
      },
      ({ did }) => this.#cache.delete(did),
    )
  }

  /** Grants `did` a permission (admin); audited. */
  async grant(actor: string, did: string, grant: PermissionGrant): Promise<Permission> {
    const kind = permissionKinds[grant.resource]
    if (!kind || kind.action !== grant.action) {
      throw new MeshError(
        'INVALID_INPUT',
        `Permission "${grant.resource}.${grant.action}" is not one of ${Object.entries(
          permissionKinds,
        )
          .map(([resource, k]) => `${resource}.${k.action}`)
          .join(', ')}`,
      )
    }
    const scope = { ...grant.scope }
    const unknown = Object.keys(scope).filter((key) => !kind.scope.includes(key))
    if (unknown.length > 0) {
      throw new MeshError(
        'INVALID_INPUT',
        `Scope key "${unknown[0]}" does not apply to "${grant.resource}.${grant.action}"`,
      )
    }
    if (scope.maxPrice !== undefined) scope.maxPrice = formatAmount(parseAmount(scope.maxPrice))
    const now = this.#clock.now()
    const expiresAtMs = grant.expiresAtMs ?? null
    if (expiresAtMs !== null && expiresAtMs <= now) {
      throw new MeshError(
        'INVALID_INPUT',
        `Expiry "${new Date(expiresAtMs).toISOString()}" is not in the future`,
      )
    }
    await this.#requirePrincipal(did)
    const held = await this.#permissions.list(did)
    if (held.length >= MAX_PERMISSIONS) {
      throw new MeshError(
        'PERMISSION_LIMIT_REACHED',
        `Principal "${did}" already holds ${held.length} permissions`,
      )
    }
    const permission: Permission = {
      id: newId('perm', this.#clock, this.#random),
      did,
      resource: grant.resource,
      action: grant.action,
      scope,
      expiresAtMs,
      grantedBy: actor,
      grantedAtMs: now,
    }
    await this.#permissions.insert(permission)
    await this.#drops.changed({ did })
    await this.#audit.record({
      actor,
      action: 'principal.permission.grant',
      resource: `principal:${did}`,
      result: 'ok',
      details: {
        id: permission.id,
        permission: `${permission.resource}.${permission.action}`,
        scope,
        expiresAt: expiresAtMs === null ? null : new Date(expiresAtMs).toISOString(),
      },
    })
    return permission
  }

  /** The principal's permissions, expired ones included. */
  async list(did: string): Promise<Permission[]> {
    await this.#requirePrincipal(did)
    return this.#permissions.list(did)
  }

  /** Takes a permission back (admin); audited. */
  async revoke(actor: string, did: string, id: string): Promise<void> {
    if (!(await this.#permissions.delete(did, id))) {
      throw new MeshError('PERMISSION_NOT_FOUND', `Principal "${did}" has no permission "${id}"`)
    }
    await this.#drops.changed({ did })
    await this.#audit.record({
      actor,
      action: 'principal.permission.revoke',
      resource: `principal:${did}`,
      result: 'ok',
      details: { id },
    })
  }

  /**
   * Drops what this node caches of `did`'s permissions (its principal was removed: every node
   * hears of that and calls this).
   */
  forget(did: string): void {
    this.#cache.delete(did)
  }

  /** Throws 403 unless the caller's permissions (if it has any) cover this call. */
  async checkCall(caller: Caller, call: CallRequest): Promise<void> {
    const grants = await this.#held(caller.did, 'capability')
    if (grants.length === 0) return
    const live = this.#live(grants)
    if (live.some((grant) => covers(grant, call))) return
    const what = `Calling "${call.capability}" at up to ${formatAmount(call.maxPriceMicros)} ${call.currency}`
    if (live.length === 0) {
      throw new MeshError('FORBIDDEN', `${what}: the permissions of "${caller.did}" have expired`)
    }
    throw new MeshError('FORBIDDEN', `${what} is outside the permissions of "${caller.did}"`, {
      details: { allowed: live.map((grant) => grant.scope) },
    })
  }

  /** Whether `did` may validate `capability` now: by a live permission, or else by its role. */
  async mayValidate(did: string, capability: string): Promise<boolean> {
    const grants = await this.#held(did, 'validator')
    if (grants.length > 0) {
      return this.#live(grants).some((grant) =>
        capabilityMatches(grant.scope.capability, capability),
      )
    }
    const principal = await this.#principals.get(did)
    return principal?.roles.includes('validator') ?? false
  }

  async #held(did: string, resource: string): Promise<Permission[]> {
    const now = this.#clock.now()
    const readAt = this.#cache.generation
    let all = this.#cache.get(did, now)
    if (!all) {
      all = await this.#permissions.list(did)
      this.#cache.set(did, all, now, readAt)
    }
    return all.filter((grant) => grant.resource === resource)
  }

  #live(grants: Permission[]): Permission[] {
    const now = this.#clock.now()
    return grants.filter((grant) => grant.expiresAtMs === null || grant.expiresAtMs > now)
  }

  async #requirePrincipal(did: string): Promise<void> {
    if (!(await this.#principals.get(did))) {
      throw new MeshError('PRINCIPAL_NOT_FOUND', `Principal "${did}" is not registered`)
    }
  }
}
