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
    } catch (cause) {
      const error = new MeshError(
        'UNAVAILABLE',
        `Store is not reachable: ${(cause as Error).message}`,
      )
      return reply
        .status(503)
        .send({ error: error.toWire(), ready: false, checks: { store: 'down' } })
    }
    if (!ctx.cluster) return { ready: true, checks: { store: 'ok' } }
    // A cluster node is ready while NATS answers too, and until it starts draining.
    const bus = await ctx.cluster.ping(READY_TIMEOUT_MS).then(
      () => 'ok' as const,
      (cause: unknown) => (cause as Error).message,
    )
    const draining = ctx.cluster.draining()
    if (bus === 'ok' && !draining) return { ready: true, checks: { store: 'ok', bus: 'ok' } }
    const error = new MeshError(
      'UNAVAILABLE',
      draining ? 'The node is draining' : `NATS is not reachable: ${bus}`,
    )
    const checks = {
      store: 'ok',
      bus: bus === 'ok' ? 'ok' : 'down',
      ...(draining ? { draining: true } : {}),
    }
    return reply.status(503).send({ error: error.toWire(), ready: false, checks })
  })
}
