import { MeshError } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { MetricsEndpoint } from './context.js'

/** Codes of a request refused for its bearer token (sign-in failures are counted by the audit trail). */
const TOKEN_CODES = new Set(['UNAUTHENTICATED', 'TOKEN_INVALID', 'TOKEN_EXPIRED'])

/**
 * Records every HTTP request (method, route template, status, duration) and every request refused
 * for its token. Routes are templates (`/v1/tasks/:id`), never raw paths; unknown paths are `unmatched`.
 */
export function installMetricsHooks(app: FastifyInstance, metrics: MetricsEndpoint): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest({
      method: request.method,
      route: request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched'),
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
    })
    done()
  })
  app.addHook('onError', (_request, _reply, error, done) => {
    if (error instanceof MeshError && TOKEN_CODES.has(error.code)) metrics.authFailure(error.code)
    done()
  })
}
