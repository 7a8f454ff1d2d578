import { MeshError } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { ApiContext } from '../context.js'

const READY_TIMEOUT_MS = 2000

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Liveness and readiness. */
export function healthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const config = { access: 'public' as const }
  app.get('/healthz', { config, schema: { hide: true } }, () => ({ status: 'ok' }))

  app.get('/readyz', { config, schema: { hide: true } }, async (_request, reply) => {
    try {
      await withTimeout(ctx.store.ping(), READY_TIMEOUT_MS)
      return { ready: true, checks: { store: 'ok' } }
    } catch (cause) {
      const error = new MeshError(
        'UNAVAILABLE',
        `Store is not reachable: ${(cause as Error).message}`,
      )
      return reply
        .status(503)
        .send({ error: error.toWire(), ready: false, checks: { store: 'down' } })
    }
  })
}
