/** Options of `mesh.search`, as `GET /v1/agents` takes them. */
export interface SearchOptions {
  /** Highest acceptable price, a decimal string (in `currency`, else the node's default). */
  maxPrice?: string
  currency?: string
  /** Every one of these tags. */
  tags?: string[]
  /** Only this capability id. */
  capability?: string
  minReputation?: number
  maxLatencyMs?: number
  online?: boolean
  limit?: number
  cursor?: string
  /** Add each score's parts and the reasons for them. */
  explain?: boolean
  /** `federation`: also capabilities served by peer nodes, each with its `node`. */
  scope?: 'local' | 'federation'
}

/** Options of `mesh.capabilities`, as `GET /v1/capabilities` takes them. */
export interface CapabilityListOptions {
  /** Only capabilities with this tag. */
  category?: string
  /** `popular` (default): most completed calls first; `featured`: admin-featured first, then popular; `price`: cheapest first. */
  sort?: 'popular' | 'featured' | 'price'
  /** 1 to 100, default 20. */
  limit?: number
  cursor?: string
}
