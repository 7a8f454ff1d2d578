import type { AgentCard, Money } from '@agentmesh/protocol'

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
}

/** One part of a score: value 0 to 1, weight, what it adds, and why. */
export interface ScorePart {
  value: number
  weight: number
  contribution: number
  reason: string
}

export type ScorePartName = 'relevance' | 'price' | 'latency' | 'reputation' | 'liveness' | 'load'

export interface SearchResult {
  agentId: string
  agentName: string
  capabilityId: string
  description: string
  price: Money
  /** 0 to 1, higher is better. */
  score: number
  online: boolean
  explain?: { score: number; parts: Record<ScorePartName, ScorePart> }
}

export interface SearchPage {
  results: SearchResult[]
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string
}

/** A registered agent as the node answers it. */
export interface AgentInfo {
  id: string
  name: string
  version: number
  card: AgentCard
  /** The card as the agent signed it (compact JWS). */
  jws: string
  registeredAt: string
  updatedAt: string
  online: boolean
  lastSeenAt: string | null
  load: { inFlight: number; concurrency: number }
}

export type RegistryChangeType = 'registered' | 'updated' | 'removed' | 'online' | 'offline'

/** One registry change from `mesh.watch()`. */
export interface RegistryChange {
  /** The event id; resume after it with `watch({ lastEventId })`. */
  id: number
  type: RegistryChangeType
  agentId: string
  at: string
  /** `version` and `name` for registered and updated. */
  data: Record<string, unknown>
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

/** One capability in the marketplace listing. */
export interface CapabilityListing {
  agentId: string
  agentName: string
  capabilityId: string
  description: string
  tags: string[]
  price: Money
  online: boolean
  featured: boolean
  /** Completed calls, as reputation counts them. */
  completedCalls: number
}

export interface CapabilityPage {
  results: CapabilityListing[]
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string
}
