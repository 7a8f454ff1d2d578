import {
  fromBase64url,
  MeshError,
  toBase64url,
  toMoney,
  utf8,
  type CapabilityListing,
} from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { RegistryStore } from '../registry/registry-store.js'
import type {
  CapabilityKey,
  Listing,
  ListingKey,
  MarketplaceSort,
  MarketplaceStore,
} from './marketplace-store.js'

export const DEFAULT_LISTING_LIMIT = 20
export const MAX_LISTING_LIMIT = 100

/** A listing as `GET /v1/capabilities` and `mesh.capabilities` take it. */
export interface ListingInput {
  category?: string
  sort?: MarketplaceSort
  limit?: number
  cursor?: string
}

/** One capability in the marketplace: the listing as the API sends it. */
export type MarketplaceEntry = CapabilityListing

export interface MarketplacePage {
  results: MarketplaceEntry[]
  nextCursor?: string
}

type CursorKey = [
  sort: MarketplaceSort,
  featured: 0 | 1,
  calls: number,
  price: string,
  agent: string,
  capability: string,
]

function encodeCursor(sort: MarketplaceSort, key: ListingKey): string {
  const parts: CursorKey = [
    sort,
    key.featured ? 1 : 0,
    key.completedCalls,
    key.priceMicros.toString(),
    key.agentId,
    key.capabilityId,
  ]
  return toBase64url(utf8(JSON.stringify(parts)))
}

function decodeCursor(cursor: string, sort: MarketplaceSort): ListingKey {
  try {
    const key = JSON.parse(new TextDecoder().decode(fromBase64url(cursor))) as unknown
    if (
      Array.isArray(key) &&
      key.length === 6 &&
      key[0] === sort &&
      (key[1] === 0 || key[1] === 1) &&
      Number.isSafeInteger(key[2]) &&
      typeof key[3] === 'string' &&
      /^\d{1,24}$/.test(key[3]) &&
      typeof key[4] === 'string' &&
      typeof key[5] === 'string'
    ) {
      return {
        featured: key[1] === 1,
        completedCalls: key[2] as number,
        priceMicros: BigInt(key[3]),
        agentId: key[4],
        capabilityId: key[5],
      }
    }
  } catch {
    // reported below
  }
  throw new MeshError(
    'INVALID_INPUT',
    `Cursor "${cursor}" is not one this node issued for sort "${sort}"`,
    {
      details: { path: 'querystring/cursor' },
    },
  )
}

/**
 * The marketplace: browsing capabilities by category, ordered by popularity (completed calls, as
 * reputation counts them), by admin-featured first, or by price. Admins feature capabilities;
 * every change and every refused attempt is audited.
 */
export class MarketplaceService {
  readonly #store: MarketplaceStore
  readonly #registry: Pick<RegistryStore, 'capabilities'>
  readonly #presence: { isOnline(agentId: string): boolean }
  readonly #audit: AuditSink
  readonly #clock: Clock

  constructor(deps: {
    store: MarketplaceStore
    registry: Pick<RegistryStore, 'capabilities'>
    presence: { isOnline(agentId: string): boolean }
    audit: AuditSink
    clock: Clock
  }) {
    this.#store = deps.store
    this.#registry = deps.registry
    this.#presence = deps.presence
    this.#audit = deps.audit
    this.#clock = deps.clock
  }

  /** One page of capabilities in the asked order (`popular` by default). */
  async list(input: ListingInput): Promise<MarketplacePage> {
    const sort = input.sort ?? 'popular'
    const limit = input.limit ?? DEFAULT_LISTING_LIMIT
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LISTING_LIMIT) {
      throw new MeshError('INVALID_INPUT', `Limit "${limit}" is not 1 to ${MAX_LISTING_LIMIT}`, {
        details: { path: 'querystring/limit' },
      })
    }
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, sort)
    // One more than the page tells whether another page follows.
    const rows = await this.#store.list({
      sort,
      limit: limit + 1,
      ...(input.category === undefined ? {} : { category: input.category }),
      ...(after === undefined ? {} : { after }),
    })
    const page = rows.slice(0, limit)
    const results = page.map((row) => this.#entry(row))
    const last = page.at(-1)
    return rows.length > limit && last
      ? { results, nextCursor: encodeCursor(sort, last) }
      : { results }
  }

  /**
   * Features a capability (or stops featuring it): admins only. Featuring needs the capability
   * to be registered; unfeaturing works on one since removed.
   */
  async setFeatured(caller: Caller, key: CapabilityKey, featured: boolean): Promise<void> {
    const resource = `capability:${key.agentId}/${key.capabilityId}`
    try {
      if (!caller.roles.includes('admin')) {
        throw new MeshError('FORBIDDEN', 'Only an admin features capabilities')
      }
      if (featured) {
        const found = await this.#registry.capabilities([key])
        if (found.size === 0) {
          throw new MeshError(
            'CAPABILITY_NOT_FOUND',
            `Agent "${key.agentId}" has no capability "${key.capabilityId}"`,
          )
        }
      }
      await this.#store.setFeatured(
        key,
        featured ? { by: caller.did, atMs: this.#clock.now() } : null,
      )
    } catch (error) {
      if (error instanceof MeshError && error.status < 500) {
        await this.#audit.record({
          actor: caller.did,
          action: 'marketplace.feature',
          resource,
          result: 'denied',
          details: { code: error.code, featured },
        })
      }
      throw error
    }
    await this.#audit.record({
      actor: caller.did,
      action: 'marketplace.feature',
      resource,
      result: 'ok',
      details: { featured },
    })
  }

  #entry(row: Listing): MarketplaceEntry {
    return {
      agentId: row.agentId,
      agentName: row.agentName,
      capabilityId: row.capabilityId,
      description: row.description,
      tags: row.tags,
      price: toMoney(row.priceMicros, row.currency),
      online: this.#presence.isOnline(row.agentId),
      featured: row.featured,
      completedCalls: row.completedCalls,
    }
  }
}
