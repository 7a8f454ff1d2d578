import type { TaskOutcome } from '../ports/outcome-sink.js'
import { P2Quantile } from './p2-quantile.js'
import type { AggregateKey, Presence, Rating, ReputationAggregate } from './reputation-store.js'
import { decayFactor, type Evidence, type ScoringOptions } from './score.js'

/** A fresh aggregate with no evidence. */
export function emptyAggregate(key: AggregateKey, atMs: number): ReputationAggregate {
  return {
    agentId: key.agentId,
    capabilityId: key.capabilityId,
    calls: 0,
    successes: 0,
    failures: 0,
    timeouts: 0,
    canceled: 0,
    disputed: 0,
    ratings: 0,
    ratingStarsTotal: 0,
    decayedSuccesses: 0,
    decayedFailures: 0,
    decayedRatingWeight: 0,
    decayedRatingStars: 0,
    decayedAtMs: atMs,
    latency: { p50: new P2Quantile(0.5).toJSON(), p95: new P2Quantile(0.95).toJSON() },
    lastOutcomeAtMs: null,
    updatedAtMs: atMs,
  }
}

/**
 * Brings the decayed sums forward to `atMs` and says how much evidence dated `atMs` counts
 * relative to them (1, or less for an event older than the sums, delivered late).
 */
function decayTo(
  aggregate: ReputationAggregate,
  atMs: number,
  halfLifeMs: number,
): { next: ReputationAggregate; eventFactor: number } {
  if (atMs <= aggregate.decayedAtMs) {
    return {
      next: { ...aggregate },
      eventFactor: decayFactor(aggregate.decayedAtMs - atMs, halfLifeMs),
    }
  }
  const k = decayFactor(atMs - aggregate.decayedAtMs, halfLifeMs)
  return {
    next: {
      ...aggregate,
      decayedSuccesses: aggregate.decayedSuccesses * k,
      decayedFailures: aggregate.decayedFailures * k,
      decayedRatingWeight: aggregate.decayedRatingWeight * k,
      decayedRatingStars: aggregate.decayedRatingStars * k,
      decayedAtMs: atMs,
    },
    eventFactor: 1,
  }
}

/**
 * Adds one task outcome. Completed counts as a success; failed, timed out and disputed as
 * failures; canceled only as a call. Latency feeds the estimators for completed and failed tasks
 * (a timeout's latency is the deadline, not a measurement).
 */
export function applyOutcome(
  current: ReputationAggregate,
  outcome: TaskOutcome,
  options: ScoringOptions,
  nowMs: number,
): ReputationAggregate {
  const { next, eventFactor } = decayTo(current, outcome.atMs, options.halfLifeMs)
  const weight = options.outcomeWeight * eventFactor
  next.calls += 1
  switch (outcome.result) {
    case 'completed':
      next.successes += 1
      next.decayedSuccesses += weight
      break
    case 'failed':
      next.failures += 1
      next.decayedFailures += weight
      break
    case 'timed_out':
      next.timeouts += 1
      next.decayedFailures += weight
      break
    case 'disputed':
      next.disputed += 1
      next.decayedFailures += weight
      break
    case 'canceled':
      next.canceled += 1
      break
  }
  if (outcome.result === 'completed' || outcome.result === 'failed') {
    const p50 = P2Quantile.fromJSON(current.latency.p50)
    const p95 = P2Quantile.fromJSON(current.latency.p95)
    p50.add(outcome.latencyMs)
    p95.add(outcome.latencyMs)
    next.latency = { p50: p50.toJSON(), p95: p95.toJSON() }
  }
  next.lastOutcomeAtMs = Math.max(current.lastOutcomeAtMs ?? outcome.atMs, outcome.atMs)
  next.updatedAtMs = nowMs
  return next
}

/** Adds one rating, with the weight it was given. */
export function applyRating(
  current: ReputationAggregate,
  rating: Rating,
  options: ScoringOptions,
): ReputationAggregate {
  const { next, eventFactor } = decayTo(current, rating.atMs, options.halfLifeMs)
  next.ratings += 1
  next.ratingStarsTotal += rating.stars
  next.decayedRatingWeight += rating.weight * eventFactor
  next.decayedRatingStars += rating.weight * rating.stars * eventFactor
  next.updatedAtMs = Math.max(current.updatedAtMs, rating.atMs)
  return next
}

/** The aggregate's evidence as it counts at `nowMs`. */
export function evidenceAt(
  aggregate: ReputationAggregate | undefined,
  nowMs: number,
  halfLifeMs: number,
): Evidence & { decay: number } {
  if (!aggregate) return { successes: 0, failures: 0, ratingWeight: 0, ratingStars: 0, decay: 1 }
  const k = decayFactor(nowMs - aggregate.decayedAtMs, halfLifeMs)
  return {
    successes: aggregate.decayedSuccesses * k,
    failures: aggregate.decayedFailures * k,
    ratingWeight: aggregate.decayedRatingWeight * k,
    ratingStars: aggregate.decayedRatingStars * k,
    decay: k,
  }
}

/** Records that the agent went online or offline at `atMs`. */
export function applyPresence(
  current: Presence | undefined,
  agentId: string,
  online: boolean,
  atMs: number,
): Presence {
  const presence = current ?? {
    agentId,
    firstSeenAtMs: atMs,
    onlineSinceMs: null,
    onlineMs: 0,
    lastChangeAtMs: atMs,
  }
  if (atMs < presence.lastChangeAtMs) return presence
  if (online) {
    return presence.onlineSinceMs === null
      ? { ...presence, onlineSinceMs: atMs, lastChangeAtMs: atMs }
      : presence
  }
  if (presence.onlineSinceMs === null) return { ...presence, lastChangeAtMs: atMs }
  return {
    ...presence,
    onlineMs: presence.onlineMs + (atMs - presence.onlineSinceMs),
    onlineSinceMs: null,
    lastChangeAtMs: atMs,
  }
}

/** The share of time since first seen that the agent was online, or `null` before any time passed. */
export function uptimeAt(presence: Presence | undefined, nowMs: number): number | null {
  if (!presence) return null
  const span = nowMs - presence.firstSeenAtMs
  if (span <= 0) return presence.onlineSinceMs === null ? null : 1
  const open = presence.onlineSinceMs === null ? 0 : Math.max(0, nowMs - presence.onlineSinceMs)
  return Math.min(1, (presence.onlineMs + open) / span)
}
