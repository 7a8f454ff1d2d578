import { createHash, timingSafeEqual } from 'node:crypto'
import { MeshError, type AlertView } from '@agentmesh/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Alert } from '../../core/alerts/alert-evaluator.js'
import { requireRole } from '../../core/auth/auth-service.js'
import type { ApiContext } from '../context.js'

/** Who may read `/metrics`: anyone, or the holders of the metrics token and admins. */
export interface MetricsAccess {
  /** A bearer token for scrapers, accepted besides an admin's (`AGENTMESH_METRICS_TOKEN`). */
  token: string | undefined
  /** Whether `/metrics` needs that token or an admin's; when false it is public. */
  protected: boolean
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Lets the metrics token or an admin's session through; 401 without a token, 403 for others. */
async function checkMetricsReader(
  request: FastifyRequest,
  ctx: ApiContext,
  access: MetricsAccess,
): Promise<void> {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
  if (token === undefined) {
    throw new MeshError(
      'UNAUTHENTICATED',
      'Reading /metrics needs "Authorization: Bearer <token>": the metrics token or an admin token',
    )
  }
  if (access.token !== undefined && timingSafeEqual(digest(token), digest(access.token))) return
  requireRole(await ctx.auth.authenticate(token), 'admin')
}

/** A time as ISO 8601; no time stays null. */
function iso(ms: number): string
function iso(ms: number | null): string | null
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

function alertView(alert: Alert): AlertView {
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

/**
 * `/metrics` (Prometheus text: public, or for the metrics token and admins) and `/v1/alerts`
 * (admin). The metrics name agents and count ledger volume and failed sign-ins, so a node that
 * is closed or has a metrics token keeps them to those readers.
 */
export function observabilityRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  access: MetricsAccess = { token: undefined, protected: false },
): void {
  app.get(
    '/metrics',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      if (access.protected) await checkMetricsReader(request, ctx, access)
      return reply.type(ctx.metrics.contentType).send(await ctx.metrics.render())
    },
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
