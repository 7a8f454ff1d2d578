import { capabilityIdSchema, toMoney, type AgentReputation } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { Rating } from '../../core/reputation/reputation-store.js'
import type { ReputationReport } from '../../core/reputation/reputation-service.js'
import type { Anomaly } from '../../core/anomalies/anomaly-detector.js'
import type { OracleStanding } from '../../core/oracles/oracle-reputation.js'
import type { ApiContext } from '../context.js'

const nullableNumber = { type: ['number', 'null'] } as const
const nullableString = { type: ['string', 'null'] } as const

/** The body of `POST /v1/tasks/:id/rating`: a whole number of stars, 1–5. */
export const ratingBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['stars'],
  properties: { stars: { type: 'integer', minimum: 1, maximum: 5 } },
} as const

/** A rating as the API answers it (`POST /v1/tasks/:id/rating`). */
export const ratingResponseSchema = {
  type: 'object',
  properties: {
    taskId: { type: 'string' },
    agentId: { type: 'string' },
    capabilityId: { type: 'string' },
    stars: { type: 'integer' },
    weight: { type: 'number' },
    paid: {
      type: 'object',
      properties: { amount: { type: 'string' }, currency: { type: 'string' } },
    },
    ratedAt: { type: 'string' },
  },
} as const

/** The wire form of a rating: money as a decimal string, time as ISO 8601. */
export function ratingToWire(rating: Rating) {
  return {
    taskId: rating.taskId,
    agentId: rating.agentId,
    capabilityId: rating.capabilityId,
    stars: rating.stars,
    weight: rating.weight,
    paid: toMoney(rating.paidMicros, rating.currency),
    ratedAt: new Date(rating.atMs).toISOString(),
  }
}

const component = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    weight: { type: 'number' },
    mean: nullableNumber,
    share: { type: 'number' },
    detail: { type: 'string' },
  },
} as const

const reportSchema = {
  type: 'object',
  properties: {
    agentId: { type: 'string' },
    capabilityId: nullableString,
    score: { type: 'number', description: '0–5, a decaying Bayesian average' },
    stats: {
      type: 'object',
      properties: {
        calls: { type: 'integer' },
        successes: { type: 'integer' },
        failures: { type: 'integer' },
        timeouts: { type: 'integer' },
        canceled: { type: 'integer' },
        disputed: { type: 'integer' },
        successRate: nullableNumber,
        latencyMs: { type: 'object', properties: { p50: nullableNumber, p95: nullableNumber } },
        uptime: nullableNumber,
        ratings: {
          type: 'object',
          properties: { count: { type: 'integer' }, average: nullableNumber },
        },
        lastOutcomeAt: nullableString,
      },
    },
    explanation: {
      type: 'object',
      properties: {
        text: { type: 'string' },
        formula: { type: 'string' },
        prior: {
          type: 'object',
          properties: { mean: { type: 'number' }, strength: { type: 'number' } },
        },
        decay: {
          type: 'object',
          properties: {
            halfLifeMs: { type: 'number' },
            sinceLastUpdate: { type: 'number' },
            newestOutcomeAgeMs: nullableNumber,
          },
        },
        components: { type: 'array', items: component },
      },
    },
    oracle: {
      type: 'object',
      description: 'Its record as an oracle source: weight = (withinTolerance + 1) / (answers + 2)',
      properties: {
        answers: { type: 'integer' },
        withinTolerance: { type: 'integer' },
        meanDeviation: nullableNumber,
        weight: { type: 'number' },
      },
    },
    anomalies: {
      type: 'array',
      description: 'Metrics out of their learned normal now',
      items: {
        type: 'object',
        properties: {
          capabilityId: { type: 'string' },
          metric: { type: 'string' },
          observed: { type: 'number' },
          expected: { type: 'number' },
          score: { type: 'number' },
          since: { type: 'string' },
          lastSeenAt: { type: 'string' },
        },
      },
    },
  },
} as const

function reportToWire(
  report: ReputationReport,
  oracle: OracleStanding,
  anomalies: Anomaly[],
): AgentReputation {
  const { lastOutcomeAtMs, ...stats } = report.stats
  return {
    ...report,
    stats: {
      ...stats,
      lastOutcomeAt: lastOutcomeAtMs === null ? null : new Date(lastOutcomeAtMs).toISOString(),
    },
    oracle,
    anomalies: anomalies.map((a) => ({
      capabilityId: a.capabilityId,
      metric: a.metric,
      observed: a.observed,
      expected: a.expected,
      score: a.score,
      since: new Date(a.sinceMs).toISOString(),
      lastSeenAt: new Date(a.lastSeenMs).toISOString(),
    })),
  }
}

/**
 * Reputation: any authenticated principal reads an agent's standing (discovery shows it to
 * everyone anyway). Ratings arrive through the task flow's `POST /v1/tasks/:id/rating`.
 */
export function reputationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Params: { id: string }; Querystring: { capability?: string } }>(
    '/v1/agents/:id/reputation',
    {
      schema: {
        tags: ['reputation'],
        summary:
          "An agent's reputation: stats, score (0–5) and its explanation, oracle record, anomalies now",
        description:
          'Over all its capabilities, or one with `capability`. An agent without evidence has ' +
          'the prior score. See the explanation for the formula.',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 256 } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { capability: capabilityIdSchema },
        },
        response: { 200: reportSchema },
      },
    },
    async (request) => {
      const { id } = request.params
      const { capability } = request.query
      const [report, oracle] = await Promise.all([
        ctx.reputation.get(id, capability),
        ctx.oracles.standing(id, capability),
      ])
      return reportToWire(report, oracle, ctx.anomalies.of(id, ctx.clock.now(), capability))
    },
  )
}
