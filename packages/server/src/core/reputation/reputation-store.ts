import type { P2State } from './p2-quantile.js'

/** The capability id of the row that aggregates an agent over all its capabilities. */
export const ALL_CAPABILITIES = ''

/** Which aggregate: an agent over all capabilities (`capabilityId` = `ALL_CAPABILITIES`) or one. */
export interface AggregateKey {
  agentId: string
  capabilityId: string
}

/**
 * What reputation remembers about an agent (or one of its capabilities): lifetime counts for
 * display, decayed sums for the score, and the latency estimators' state.
 */
export interface ReputationAggregate extends AggregateKey {
  calls: number
  successes: number
  failures: number
  timeouts: number
  canceled: number
  disputed: number
  ratings: number
  /** Sum of the stars of every rating, undecayed and unweighted, for the plain average. */
  ratingStarsTotal: number
  /** Decayed sums, valid as of `decayedAtMs` (see `score.ts`). */
  decayedSuccesses: number
  decayedFailures: number
  decayedRatingWeight: number
  decayedRatingStars: number
  decayedAtMs: number
  /** P² state of the latency p50 and p95, over completed and failed tasks. */
  latency: { p50: P2State; p95: P2State }
  lastOutcomeAtMs: number | null
  updatedAtMs: number
}

/** One rating: one per task, by its requester. */
export interface Rating {
  taskId: string
  rater: string
  agentId: string
  capabilityId: string
  stars: number
  paidMicros: bigint
  currency: string
  weight: number
  atMs: number
}

/**
 * Presence history for uptime: the share of time since the agent was first seen that it was
 * online.
 */
export interface Presence {
  agentId: string
  firstSeenAtMs: number
  /** When the agent came online, or `null` while it is offline. */
  onlineSinceMs: number | null
  /** Time online before `onlineSinceMs` (closed intervals). */
  onlineMs: number
  lastChangeAtMs: number
}

/** Computes the new value of an aggregate from the stored one (`undefined` for a new row). */
export type AggregateUpdate = (
  current: ReputationAggregate | undefined,
  key: AggregateKey,
) => ReputationAggregate

/** One outcome to count, once per (task, agent), in the aggregate rows named by `keys`. */
export interface OutcomeClaim {
  taskId: string
  agentId: string
  atMs: number
  keys: AggregateKey[]
}

/**
 * Computes the value of an aggregate with the outcome of claim `claimIndex` folded in, from the
 * stored one (`undefined` for a new row) or what the previous claim of the batch made of it.
 */
export type OutcomeUpdate = (
  current: ReputationAggregate | undefined,
  key: AggregateKey,
  claimIndex: number,
) => ReputationAggregate

/**
 * Reputation's storage. Every write is a read-modify-write inside one transaction that locks the
 * rows it rewrites, so concurrent outcomes for one agent (from any node) are never lost; the
 * domain rule stays in the `update` function the core passes in.
 */
export interface ReputationStore {
  getAggregate(key: AggregateKey): Promise<ReputationAggregate | undefined>
  /** The aggregates of these agents for one capability id (`ALL_CAPABILITIES` for the whole agent). */
  listAggregates(agentIds: string[], capabilityId: string): Promise<ReputationAggregate[]>
  /**
   * Counts a batch of outcomes in one transaction: claims each (task, agent) pair, then rewrites
   * every row named by a newly claimed outcome once, folding those outcomes into it with `update`
   * in batch order. Answers, per claim, whether it was newly claimed; a claim already recorded (a
   * redelivered event, or an earlier claim of the same pair in this batch) changes nothing.
   */
  recordOutcomes(claims: OutcomeClaim[], update: OutcomeUpdate): Promise<boolean[]>
  /**
   * Inserts the rating and rewrites the `keys` rows with `update`, in one transaction. Answers
   * false, changing nothing, when the task already has a rating.
   */
  recordRating(rating: Rating, keys: AggregateKey[], update: AggregateUpdate): Promise<boolean>
  getRating(taskId: string): Promise<Rating | undefined>
  getPresence(agentId: string): Promise<Presence | undefined>
  /** Rewrites an agent's presence with `update` (given `undefined` for a new agent), atomically. */
  updatePresence(
    agentId: string,
    update: (current: Presence | undefined) => Presence,
  ): Promise<Presence>
}
