import type { FastifyInstance } from 'fastify'
import type { Alert } from '../../core/alerts/alert-evaluator.js'
import type { ApiContext } from '../context.js'

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

function alertView(alert: Alert) {
  return {
    id: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    state: alert.state,
    summary: alert.summary,
    labels: alert.labels,
    value: alert.value,
    since: iso(alert.startsAtMs),
    resolvedAt: iso(alert.resolvedAtMs),
  }
}

const alertSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    rule: {
      enum: ['TaskErrorRateHigh', 'AgentUnresponsive', 'BudgetExceeded', 'VerificationFailed'],
    },
    severity: { enum: ['warning', 'critical'] },
    state: { enum: ['firing', 'resolved'] },
    summary: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    value: { type: ['number', 'null'] },
    since: { type: 'string', format: 'date-time' },
    resolvedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const

/** `/metrics` (public, Prometheus text) and `/v1/alerts` (admin). */
export function observabilityRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_, reply) =>
    reply.type(ctx.metrics.contentType).send(await ctx.metrics.render()),
  )

  app.get(
    '/v1/alerts',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['node'],
        summary:
          'Alerts the node evaluates: firing ones (oldest first), then the latest resolved ones',
        response: {
          200: {
            type: 'object',
            properties: { alerts: { type: 'array', items: alertSchema } },
          },
        },
      },
    },
    () => {
      const { firing, resolved } = ctx.alerts.list()
      return { alerts: [...firing, ...resolved].map(alertView) }
    },
  )
}
