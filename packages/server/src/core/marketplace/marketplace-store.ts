/** How the marketplace orders capabilities. */
export type MarketplaceSort = 'popular' | 'featured' | 'price'

/** Where a listing sits in every order; a page starts strictly after one of these. */
export interface ListingKey {
  featured: boolean
  /** Completed calls, from reputation's per-capability aggregate. */
  completedCalls: number
  priceMicros: bigint
  agentId: string
  capabilityId: string
}

/** One capability of one registered agent, as the marketplace lists it. */
export interface Listing extends ListingKey {
  agentName: string
  description: string
  tags: string[]
  currency: string
}

export interface ListingQuery {
  sort: MarketplaceSort
  /** Only capabilities with this tag. */
  category?: string
  limit: number
  after?: ListingKey
}

/** Identifies one capability of one agent. */
export interface CapabilityKey {
  agentId: string
  capabilityId: string
}

/**
 * The marketplace's storage: the registry's capabilities joined with reputation's completed calls
 * and the featured marks. Every order ends with agent id then capability id, so pages never
 * overlap.
 */
export interface MarketplaceStore {
  list(query: ListingQuery): Promise<Listing[]>
  /** Marks (`by` the admin, at `atMs`) or unmarks a capability as featured; idempotent. */
  setFeatured(key: CapabilityKey, mark: { by: string; atMs: number } | null): Promise<void>
}
