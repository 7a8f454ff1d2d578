import { MeshError } from '@agentmesh/protocol'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Bus } from '../ports/bus.js'
import { CacheDrops } from '../cache-drops.js'
import type { Clock } from '../ports/clock.js'
import type { OutcomeSink, TaskOutcome } from '../ports/outcome-sink.js'
import type { ReputationSource, ReputationSummary } from '../ports/reputation-source.js'
import { DrainBatcher } from '../drain-batcher.js'
import { RecentCache } from '../recent-cache.js'
import {
  applyOutcome,
  applyPresence,
  applyRating,
  emptyAggregate,
  evidenceAt,
  uptimeAt,
} from './aggregate.js'
import { explain, type ReputationExplanation } from './explanation.js'
import { P2Quantile } from './p2-quantile.js'
import type { RatableTasks } from './ratable-tasks.js'
import {
  ALL_CAPABILITIES,
  type AggregateKey,
  type Rating,
  type ReputationAggregate,
  type ReputationStore,
} from './reputation-store.js'
import { ratingWeight, scoreOf, type ScoringOptions } from './score.js'

/** An agent's (or one capability's) measured standing: counts, latency, uptime, ratings. */
export interface ReputationStats {
  calls: number
  successes: number
  failures: number
  timeouts: number
  canceled: number
  disputed: number
  /** Successes over all outcomes but cancellations, lifetime; `null` before any. */
  successRate: number | null
  /** Streaming (P²) estimates over completed and failed tasks. */
  latencyMs: { p50: number | null; p95: number | null }
  /** Share of time online since first seen (the agent's, also for a capability). */
  uptime: number | null
  ratings: { count: number; average: number | null }
  lastOutcomeAtMs: number | null
}

/** What `GET /v1/agents/:id/reputation` answers. */
export interface ReputationReport {
  agentId: string
  /** `null` for the agent over all its capabilities. */
  capabilityId: string | null
  score: number
  stats: ReputationStats
  explanation: ReputationExplanation
}

/** What a rating asks: the rater is the authenticated caller. */
export interface RateInput {
  taskId: string
  rater: string
  stars: number
}

/** Most outcomes one store transaction counts. */
const MAX_BATCH = 500

/**
 * How long a summary read for ranking serves again (by default). Outcomes and ratings drop their
 * agent's summary at once on this node and, by a bus message, on the others; were the message
 * lost, this bounds how stale another node's writes can look.
 */
const SUMMARY_TTL_MS = 1000
const MAX_SUMMARIES = 10_000
/** The bus topic of reputation changes (`{agentIds}`): every node drops those summaries. */
const REPUTATION_CHANGED = 'reputation.changed'
/** Most agent ids one message names (a batch of outcomes names at most `MAX_BATCH`). */
const MAX_CHANGED_AGENTS = 1000

function reputationChange(body: unknown): { agentIds: string[] } | undefined {
  const ids = (body as { agentIds?: unknown } | null)?.agentIds
  if (!Array.isArray(ids) || ids.length > MAX_CHANGED_AGENTS) return undefined
  return { agentIds: ids.filter((id): id is string => typeof id === 'string') }
}

/**
 * Reputation: consumes task outcomes and ratings, keeps per-agent and per-capability aggregates,
 * and scores them with a decaying Bayesian average (see `score.ts`). It is the node's
 * `OutcomeSink` (the task flow reports each outcome) and `ReputationSource` (discovery ranks with
 * it).
 */
export class ReputationService implements OutcomeSink, ReputationSource {
  readonly #store: ReputationStore
  readonly #clock: Clock
  readonly #audit: AuditSink
  readonly #tasks: RatableTasks
  readonly #options: ScoringOptions
  /**
   * Outcomes that arrive while a batch is being written go together in the next one (one
   * transaction, each row written once).
   */
  readonly #record = new DrainBatcher(MAX_BATCH).wrap((outcomes: TaskOutcome[]) =>
    this.#writeOutcomes(outcomes),
  )
  readonly #summaries: RecentCache<string, ReputationSummary>
  readonly #drops: CacheDrops<{ agentIds: string[] }>

  /** With `bus`, every node drops the summaries of agents whose reputation changed on any. */
  constructor(
    deps: {
      store: ReputationStore
      clock: Clock
      audit: AuditSink
      tasks: RatableTasks
      bus?: Bus
      /** How long a summary serves without the database (default 1 s). */
      cacheMs?: number
    },
    options: ScoringOptions,
  ) {
    this.#store = deps.store
    this.#clock = deps.clock
    this.#audit = deps.audit
    this.#tasks = deps.tasks
    this.#options = options
    this.#summaries = new RecentCache(deps.cacheMs ?? SUMMARY_TTL_MS, MAX_SUMMARIES)
    this.#drops = new CacheDrops(deps.bus, REPUTATION_CHANGED, reputationChange, ({ agentIds }) => {
      for (const agentId of agentIds) this.#summaries.delete(agentId)
    })
  }

  /**
   * Counts one task outcome for the agent and its capability; resolves once it is committed.
   * Idempotent per (task, agent): a redelivered outcome changes nothing. Outcomes that arrive while
   * a batch is being written go together in the next one (one transaction, each row written once).
   */
  async recordOutcome(outcome: TaskOutcome): Promise<void> {
    await this.#record([outcome])
  }

  /** One batch of outcomes in one store transaction (see `recordOutcome`). */
  async #writeOutcomes(outcomes: TaskOutcome[]): Promise<boolean[]> {
    const now = this.#clock.now()
    const claimed = await this.#store.recordOutcomes(
      outcomes.map(({ taskId, agentId, capabilityId, atMs }) => ({
        taskId,
        agentId,
        atMs,
        keys: keysOf(agentId, capabilityId),
      })),
      (current, key, index) => {
        const outcome = outcomes[index]!
        return applyOutcome(
          current ?? emptyAggregate(key, outcome.atMs),
          outcome,
          this.#options,
          now,
        )
      },
    )
    await this.#drops.changed({ agentIds: [...new Set(outcomes.map((o) => o.agentId))] })
    return claimed
  }

  /**
   * Rates a settled task, 1–5 stars, once, by its requester only; the rating counts with a weight
   * that grows with the logarithm of what was paid (`ratingWeight`). Every refusal is audited as
   * `reputation.rate` denied.
   */
  async rate(input: RateInput): Promise<Rating> {
    try {
      const rating = await this.#rate(input)
      await this.#audit.record({
        actor: input.rater,
        action: 'reputation.rate',
        resource: `task:${input.taskId}`,
        result: 'ok',
        details: {
          agentId: rating.agentId,
          capabilityId: rating.capabilityId,
          stars: rating.stars,
          weight: rating.weight,
        },
      })
      return rating
    } catch (error) {
      if (error instanceof MeshError && error.status < 500) {
        await this.#audit.record({
          actor: input.rater,
          action: 'reputation.rate',
          resource: `task:${input.taskId}`,
          result: 'denied',
          details: { code: error.code, stars: input.stars },
        })
      }
      throw error
    }
  }

  async #rate({ taskId, rater, stars }: RateInput): Promise<Rating> {
    if (!Number.isInteger(stars) || stars < 1 || stars > 5) {
      throw new MeshError('INVALID_INPUT', `Rating "${stars}" is not a whole number of stars 1–5`)
    }
    const task = await this.#tasks.get(taskId)
    if (!task) throw new MeshError('TASK_NOT_FOUND', `Task "${taskId}" does not exist`)
    if (task.requester !== rater) {
      throw new MeshError('FORBIDDEN', `Only the requester of task "${taskId}" may rate it`)
    }
    if (!task.settled) {
      throw new MeshError('TASK_NOT_SETTLED', `Task "${taskId}" is not settled yet: rate it later`)
    }
    const rating: Rating = {
      taskId,
      rater,
      agentId: task.agentId,
      capabilityId: task.capabilityId,
      stars,
      paidMicros: task.paidMicros,
      currency: task.currency,
      weight: ratingWeight(task.paidMicros, this.#options),
      atMs: this.#clock.now(),
    }
    const inserted = await this.#store.recordRating(
      rating,
      keysOf(task.agentId, task.capabilityId),
      (current, key) =>
        applyRating(current ?? emptyAggregate(key, rating.atMs), rating, this.#options),
    )
    if (!inserted) throw new MeshError('ALREADY_RATED', `Task "${taskId}" has already been rated`)
    await this.#drops.changed({ agentIds: [task.agentId] })
    return rating
  }

  /** Records that an agent went online or offline, for uptime. */
  async recordPresence(agentId: string, online: boolean, atMs: number): Promise<void> {
    await this.#store.updatePresence(agentId, (current) =>
      applyPresence(current, agentId, online, atMs),
    )
  }

  /** The full report: stats, score and its explanation, for the agent or one capability. */
  async get(agentId: string, capabilityId?: string): Promise<ReputationReport> {
    const key = { agentId, capabilityId: capabilityId ?? ALL_CAPABILITIES }
    const [aggregate, presence] = await Promise.all([
      this.#store.getAggregate(key),
      this.#store.getPresence(agentId),
    ])
    const now = this.#clock.now()
    const evidence = evidenceAt(aggregate, now, this.#options.halfLifeMs)
    const parts = scoreOf(evidence, this.#options)
    const a = aggregate ?? emptyAggregate(key, now)
    return {
      agentId,
      capabilityId: capabilityId ?? null,
      score: parts.score,
      stats: {
        calls: a.calls,
        successes: a.successes,
        failures: a.failures,
        timeouts: a.timeouts,
        canceled: a.canceled,
        disputed: a.disputed,
        successRate: successRate(a),
        latencyMs: {
          p50: P2Quantile.fromJSON(a.latency.p50).estimate(),
          p95: P2Quantile.fromJSON(a.latency.p95).estimate(),
        },
        uptime: uptimeAt(presence, now),
        ratings: {
          count: a.ratings,
          average: a.ratings > 0 ? a.ratingStarsTotal / a.ratings : null,
        },
        lastOutcomeAtMs: a.lastOutcomeAtMs,
      },
      explanation: explain(parts, this.#options, {
        sinceLastUpdate: evidence.decay,
        newestOutcomeAgeMs:
          a.lastOutcomeAtMs === null ? null : Math.max(0, now - a.lastOutcomeAtMs),
      }),
    }
  }

  /**
   * Scores and headline figures of many agents at once, for ranking. Every requested id gets an
   * entry; an agent without evidence has the prior's score and no calls. Summaries are kept for
   * up to the cache's expiry (ranking runs on every task) and dropped when any node writes.
   */
  async summaries(agentIds: string[]): Promise<Map<string, ReputationSummary>> {
    const now = this.#clock.now()
    const readAt = this.#summaries.generation
    const result = new Map<string, ReputationSummary>()
    const missing: string[] = []
    for (const agentId of new Set(agentIds)) {
      const cached = this.#summaries.get(agentId, now)
      if (cached) result.set(agentId, cached)
      else missing.push(agentId)
    }
    if (missing.length === 0) return result
    const rows = await this.#store.listAggregates(missing, ALL_CAPABILITIES)
    const byAgent = new Map(rows.map((row) => [row.agentId, row]))
    for (const agentId of missing) {
      const row = byAgent.get(agentId)
      const evidence = evidenceAt(row, now, this.#options.halfLifeMs)
      const summary: ReputationSummary = {
        agentId,
        score: scoreOf(evidence, this.#options).score,
        calls: row?.calls ?? 0,
        successRate: row ? successRate(row) : null,
        p95LatencyMs: row ? P2Quantile.fromJSON(row.latency.p95).estimate() : null,
      }
      result.set(agentId, summary)
      this.#summaries.set(agentId, summary, now, readAt)
    }
    return result
  }
}

function keysOf(agentId: string, capabilityId: string): AggregateKey[] {
  const keys = [{ agentId, capabilityId: ALL_CAPABILITIES }]
  if (capabilityId !== ALL_CAPABILITIES) keys.push({ agentId, capabilityId })
  return keys
}

function successRate(a: ReputationAggregate): number | null {
  const judged = a.successes + a.failures + a.timeouts + a.disputed
  return judged > 0 ? a.successes / judged : null
}
