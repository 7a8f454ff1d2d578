import type { FederatedNodeRef } from './federation-views.js'
/**
 * Resources as the node answers them over HTTP (money as decimal strings, times as ISO 8601): the
 * one declaration the server builds them to and the SDK reads them as.
 */
import type { Money } from './money.js'
import type { AgentCard } from './schemas.js'

/**
 * An agent's reputation as `GET /v1/agents/:id/reputation` answers it: lifetime stats, the score
 * (0–5, a Bayesian average whose evidence halves in weight every half-life) and why.
 */
export interface AgentReputation {
  agentId: string
  /** `null` for the agent over all its capabilities. */
  capabilityId: string | null
  score: number
  stats: {
    calls: number
    successes: number
    failures: number
    timeouts: number
    canceled: number
    disputed: number
    successRate: number | null
    /** Streaming estimates over completed and failed tasks. */
    latencyMs: { p50: number | null; p95: number | null }
    /** Share of time online since the agent was first seen. */
    uptime: number | null
    ratings: { count: number; average: number | null }
    lastOutcomeAt: string | null
  }
  explanation: {
    text: string
    formula: string
    prior: { mean: number; strength: number }
    decay: { halfLifeMs: number; sinceLastUpdate: number; newestOutcomeAgeMs: number | null }
    components: Array<{
      name: 'prior' | 'outcomes' | 'ratings'
      weight: number
      mean: number | null
      share: number
      detail: string
    }>
  }
  /**
   * How the agent did as an oracle source (`verify: {mode: "oracle"}`): answers given, how many
   * were within tolerance of the aggregate, their mean deviation, and the weight its next answer
   * carries.
   */
  oracle: OracleReputationView
  /** What the node sees it doing out of its normal now (latency, errors, output size, price). */
  anomalies: AnomalyView[]
}

/** An agent's oracle reputation: `weight = (withinTolerance + 1) / (answers + 2)`. */
export interface OracleReputationView {
  answers: number
  withinTolerance: number
  /** Mean deviation from the aggregate, each answer's capped at 1; `null` before any answer. */
  meanDeviation: number | null
  weight: number
}

/** One metric of one capability of an agent that is out of its learned normal. */
export interface AnomalyView {
  capabilityId: string
  metric: 'latency' | 'errorRate' | 'outputSize' | 'price'
  /** The recent level (ms, a share, bytes, currency micro-units). */
  observed: number
  /** The learned normal level, in the same unit. */
  expected: number
  /** How many standard deviations of the recent level the two are apart. */
  score: number
  since: string
  lastSeenAt: string
}

/** One part of a score: value 0 to 1, weight, what it adds, and why. */
export interface ScorePart {
  value: number
  weight: number
  contribution: number
  reason: string
  /**
   * On `relevance`, when the node ranks by meaning too: the text rank and the meaning (cosine
   * similarity of query and capability embeddings), each 0 to 1 with its share of relevance.
   */
  hybrid?: {
    text: { value: number; weight: number }
    vector: { value: number; weight: number; similarity: number }
  }
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
  /** With `scope=federation`: the peer node serving a remote result (absent for this node's). */
  node?: FederatedNodeRef
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
