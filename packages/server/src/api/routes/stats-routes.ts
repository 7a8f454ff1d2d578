import type { NodeStats } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { ApiContext } from '../context.js'

const nullableNumber = { type: ['number', 'null'] } as const

const statsSchema = {
  type: 'object',
  properties: {
    at: { type: 'string' },
    windowMs: { type: 'integer' },
    tasksPerSecond: { type: 'number' },
    finished: { type: 'integer' },
    errors: { type: 'integer' },
    errorRate: nullableNumber,
    latencyMs: {
      type: 'object',
      properties: { p50: nullableNumber, p95: nullableNumber, p99: nullableNumber },
    },
    inFlight: { type: 'integer' },
    agentsOnline: { type: 'integer' },
    series: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string' },
          finished: { type: 'integer' },
          errors: { type: 'integer' },
          p95LatencyMs: nullableNumber,
        },
      },
    },
  },
} as const

/**
 * `GET /v1/stats`: the node's task figures over the last minute and the agents online, for the
 * dashboard's overview. Any signed-in principal may read it: the figures are aggregates that name
 * no task, requester or agent.
 */
export function statsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/stats',
    {
      schema: {
        tags: ['stats'],
        summary: 'Tasks per second, latency p50/p95/p99, error rate and agents online',
        description:
          'Over the last minute, with one point per second in `series`. Latency runs from submission to the final state; canceled tasks count as finished but neither as errors nor in latency.',
        response: { 200: statsSchema },
      },
    },
    (): NodeStats => {
      const { atMs, series, ...figures } = ctx.stats.snapshot()
      return {
        at: new Date(atMs).toISOString(),
        ...figures,
        agentsOnline: ctx.registry.presence.onlineAgents().length,
        series: series.map(({ atMs: pointMs, ...point }) => ({
          at: new Date(pointMs).toISOString(),
          ...point,
        })),
      }
    },
  )
}
