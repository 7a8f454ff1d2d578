import {
  parseAmount,
  parseCurrency,
  toMoney,
  type Capability,
  type Money,
} from '@agentmesh/protocol'
import type { Bus } from '../ports/bus.js'
import type { CapabilityMatch, CapabilityQuery, RegistryStore } from '../registry/registry-store.js'
import type { Clock } from '../ports/clock.js'
import type { ReputationSource } from '../ports/reputation-source.js'
import type { Presence } from '../registry/presence.js'
import { RecentCache } from '../recent-cache.js'
import { REGISTRY_CHANGED } from '../registry/registry-service.js'
import { cosine, type MeaningIndex } from './meaning-index.js'
import {
  explainScore,
  normalizeRelevanceWeights,
  normalizeWeights,
  observedLatency,
  reputationScore,
  scoreOf,
  type Explanation,
  type RankContext,
  type RankingWeights,
  type RankSignals,
  type RelevanceWeights,
} from './ranking.js'
import { queryTerms } from './search-words.js'
import {
  compare,
  compareRanked,
  decodeCursor,
  encodeCursor,
  sortKey,
  type Ranked,
} from './search-order.js'

/** How long the task flow reuses a query's matches, at most, by default (see `DiscoveryService`). */
export const MATCH_CACHE_MS = 1000
const MAX_CACHED_QUERIES = 1000

/** A search as `GET /v1/agents` and `mesh.search` take it. */
export interface SearchInput {
  q?: string
  tags?: string[]
  capability?: string
  maxPrice?: string
  currency?: string
  minReputation?: number
  maxLatencyMs?: number
  online?: boolean
  limit?: number
  cursor?: string
  explain?: boolean
}

/** One ranked capability of one agent. */
export interface SearchHit {
  agentId: string
  agentName: string
  capabilityId: string
  description: string
  price: Money
  score: number
  online: boolean
  explain?: Explanation
}

export interface SearchPage {
  results: SearchHit[]
  nextCursor?: string
}

/** A provider the task flow may dispatch to, best first. */
export interface Candidate {
  agentId: string
  agentName: string
  capability: Capability
  score: number
}

export interface DiscoveryOptions {
  weights?: Partial<RankingWeights>
  /** How relevance mixes text and meaning, when discovery has a meaning index. */
  relevanceWeights?: Partial<RelevanceWeights>
  /** How many text matches are ranked at most (the best by relevance, or the cheapest). */
  candidateLimit?: number
  /** The currency of `maxPrice` when the query names none. */
  defaultCurrency: string
  /** How long the task flow reuses a query's matches (default `MATCH_CACHE_MS`). */
  cacheMs?: number
}

export const DEFAULT_SEARCH_LIMIT = 20
export const MAX_SEARCH_LIMIT = 100
/** How many capabilities nearest in meaning join a query's text matches as candidates, at most. */
const NEAREST_BY_MEANING = 100
/**
 * A capability found by meaning alone (no word of the query in its card) stays a candidate only
 * when at least this fraction as close as the closest candidate: unrelated cards sit at cosine
 * 0.1 to 0.3 from any query, so an absolute floor either lets them in or drops weak real matches.
 */
const MEANING_ONLY_RELATIVE = 0.5
/** Above this many online agents, `online=true` filters after the query instead of inside it. */
const ONLINE_IN_QUERY_MAX = 1000

interface RankFilters {
  online?: boolean
  minReputation?: number
  maxLatencyMs?: number
}

/**
 * Discovery: full-text search over the registry, filters, and a ranking that weighs relevance,
 * price, latency, reputation, liveness and load, with the reasons for every score. The cursor is
 * the last result's sort key, so a page starts strictly after it even when scores move. With a
 * meaning index, a query's candidates are its text matches and the capabilities nearest to it in
 * meaning, and relevance mixes the two.
 */
export class DiscoveryService {
  readonly weights: RankingWeights
  readonly #relevanceWeights: RelevanceWeights
  readonly #meaning: MeaningIndex | undefined
  readonly #store: { readonly registry: RegistryStore }
  readonly #presence: Presence
  readonly #reputation: ReputationSource
  readonly #candidateLimit: number
  readonly #defaultCurrency: string
  readonly #clock: Clock | undefined
  /** The task flow's recent matches by query; dropped on any registry change. */
  readonly #matches: RecentCache<string, CapabilityMatch[]>

  /**
   * With `bus` and `clock`, the matches behind `candidates` are kept for `cacheMs` (every task
   * asks) and dropped whenever the registry changes on any node (`registry.changed` travels the
   * cluster's bus); liveness, load and reputation are read afresh each time.
   */
  constructor(
    deps: {
      store: { readonly registry: RegistryStore }
      presence: Presence
      reputation: ReputationSource
      bus?: Bus
      clock?: Clock
      meaning?: MeaningIndex
    },
    options: DiscoveryOptions,
  ) {
    this.#store = deps.store
    this.#relevanceWeights = normalizeRelevanceWeights(options.relevanceWeights ?? {})
    this.#meaning = this.#relevanceWeights.vector > 0 ? deps.meaning : undefined
    this.#presence = deps.presence
    this.#reputation = deps.reputation
    this.#matches = new RecentCache(options.cacheMs ?? MATCH_CACHE_MS, MAX_CACHED_QUERIES)
    if (deps.bus && deps.clock) {
      this.#clock = deps.clock
      deps.bus.subscribe(REGISTRY_CHANGED, () => this.#matches.clear())
    }
    this.weights = normalizeWeights(options.weights ?? {})
    this.#candidateLimit = options.candidateLimit ?? 200
    this.#defaultCurrency = options.defaultCurrency
  }

  /** Searches and ranks capabilities; one page at a time. */
  async search(input: SearchInput): Promise<SearchPage> {
    const limit = Math.min(input.limit ?? DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT)
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor)
    const currency =
      input.currency !== undefined
        ? parseCurrency(input.currency)
        : input.maxPrice !== undefined
          ? this.#defaultCurrency
          : undefined
    const query: CapabilityQuery = {
      terms: queryTerms(input.q),
      limit: this.#candidateLimit,
      ...(input.capability === undefined ? {} : { capabilityId: input.capability }),
      ...(input.tags === undefined || input.tags.length === 0 ? {} : { tags: input.tags }),
      ...(currency === undefined ? {} : { currency }),
      ...(input.maxPrice === undefined ? {} : { maxPriceMicros: parseAmount(input.maxPrice) }),
    }
    const filters: RankFilters = {
      ...(input.online === undefined ? {} : { online: input.online }),
      ...(input.minReputation === undefined ? {} : { minReputation: input.minReputation }),
      ...(input.maxLatencyMs === undefined ? {} : { maxLatencyMs: input.maxLatencyMs }),
    }
    const vector =
      this.#meaning && query.terms.length > 0 && input.q !== undefined
        ? await this.#meaning.queryVector(input.q)
        : undefined
    const meaning = vector && { vector }
    const { ranked, ctx } = await this.#rank(query, filters, false, meaning)
    const start = after
      ? ranked.findIndex(
          (r) => compare(r.score, r.match.agentId, r.match.capabilityId, ...after) > 0,
        )
      : 0
    const page = start < 0 ? [] : ranked.slice(start, start + limit)
    const results = page.map((r): SearchHit => {
      const { match } = r
      const hit: SearchHit = {
        agentId: match.agentId,
        agentName: match.agentName,
        capabilityId: match.capabilityId,
        description: match.description,
        price: toMoney(match.priceMicros, match.currency),
        score: r.score,
        online: r.signals.online,
      }
      if (input.explain) hit.explain = explainScore(match, r.signals, ctx, this.weights)
      return hit
    })
    const last = page.at(-1)
    const more = start >= 0 && start + limit < ranked.length
    return more && last ? { results, nextCursor: encodeCursor(sortKey(last)) } : { results }
  }

  /**
   * The online providers of a capability, best first, with their full capability (schemas,
   * pricing, SLA): what the task flow dispatches to and fails over along.
   */
  async candidates(input: {
    capabilityId: string
    maxPriceMicros?: bigint
    currency?: string
    agentId?: string
    excludeAgentIds?: string[]
    limit?: number
  }): Promise<Candidate[]> {
    const query: CapabilityQuery = {
      terms: [],
      capabilityId: input.capabilityId,
      limit: this.#candidateLimit,
      withCapability: true,
      ...(input.maxPriceMicros === undefined ? {} : { maxPriceMicros: input.maxPriceMicros }),
      ...(input.currency === undefined ? {} : { currency: input.currency }),
      ...(input.agentId === undefined ? {} : { agentIds: [input.agentId] }),
      ...(input.excludeAgentIds === undefined ? {} : { excludeAgentIds: input.excludeAgentIds }),
    }
    const { ranked: all } = await this.#rank(query, { online: true }, true)
    return all.slice(0, input.limit ?? 5).flatMap((r) => {
      const { capability } = r.match
      if (!capability) return []
      return [
        {
          agentId: r.match.agentId,
          agentName: r.match.agentName,
          capability,
          score: r.score,
        },
      ]
    })
  }

  async #cachedMatch(query: CapabilityQuery): Promise<CapabilityMatch[]> {
    if (!this.#clock) return this.#store.registry.match(query)
    const key = JSON.stringify(query, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    )
    const now = this.#clock.now()
    const readAt = this.#matches.generation
    const hit = this.#matches.get(key, now)
    if (hit) return hit
    const matches = await this.#store.registry.match(query)
    this.#matches.set(key, matches, now, readAt)
    return matches
  }

  /** The text matches, and with `meaning` the capabilities nearest to it, with embeddings. */
  #candidateMatches(
    query: CapabilityQuery,
    cached: boolean,
    meaning: { vector: Float32Array } | undefined,
  ): Promise<CapabilityMatch[]> {
    if (meaning && this.#meaning) {
      return this.#meaning.matches(query, meaning.vector, NEAREST_BY_MEANING)
    }
    return cached ? this.#cachedMatch(query) : this.#store.registry.match(query)
  }

  async #rank(
    query: CapabilityQuery,
    filters: RankFilters,
    cached = false,
    meaning?: { vector: Float32Array },
  ): Promise<{ ranked: Ranked[]; ctx: RankContext }> {
    if (filters.online) {
      const online = this.#presence.onlineAgents()
      if (online.length <= ONLINE_IN_QUERY_MAX) {
        const live = new Set(online)
        query.agentIds = query.agentIds ? query.agentIds.filter((id) => live.has(id)) : online
      }
    }
    const matches = await this.#candidateMatches(query, cached, meaning)
    const summaries = await this.#reputation.summaries([...new Set(matches.map((m) => m.agentId))])
    const candidates = matches.flatMap((match) => {
      const reputation = summaries.get(match.agentId)
      const presence = this.#presence.state(match.agentId)
      if (filters.online !== undefined && presence.online !== filters.online) return []
      if (
        filters.minReputation !== undefined &&
        reputationScore(reputation) < filters.minReputation
      )
        return []
      const latency = observedLatency(match, reputation)
      if (filters.maxLatencyMs !== undefined && latency && latency.ms > filters.maxLatencyMs)
        return []
      const signals: RankSignals = {
        reputation,
        online: presence.online,
        inFlight: presence.inFlight,
      }
      if (meaning) signals.similarity = cosine(meaning.vector, match.embedding)
      return [{ match, signals }]
    })
    const bestSimilarity = candidates.reduce(
      (best, { signals }) => Math.max(best, signals.similarity ?? 0),
      0,
    )
    const kept = candidates.filter(
      ({ match, signals }) =>
        match.relevance > 0 || (signals.similarity ?? 0) >= MEANING_ONLY_RELATIVE * bestSimilarity,
    )
    const cheapestByCurrency = new Map<string, bigint>()
    let bestRelevance = 0
    for (const { match } of kept) {
      const cheapest = cheapestByCurrency.get(match.currency)
      if (cheapest === undefined || match.priceMicros < cheapest) {
        cheapestByCurrency.set(match.currency, match.priceMicros)
      }
      bestRelevance = Math.max(bestRelevance, match.relevance)
    }
    const ctx: RankContext = {
      hasQuery: query.terms.length > 0,
      bestRelevance,
      maxPriceMicros: query.maxPriceMicros,
      cheapestByCurrency,
      maxLatencyMs: filters.maxLatencyMs,
      ...(meaning ? { meaning: { weights: this.#relevanceWeights, bestSimilarity } } : {}),
    }
    const ranked = kept.map(({ match, signals }) => ({
      match,
      signals,
      score: scoreOf(match, signals, ctx, this.weights),
    }))
    return { ranked: ranked.sort(compareRanked), ctx }
  }
}
