import type { FastifyInstance } from 'fastify'
import type { RegistryEvent } from '../../core/registry/registry-store.js'
import { REGISTRY_CHANGED } from '../../core/registry/registry-service.js'
import type { ApiContext } from '../context.js'
import { sseStreams } from '../sse.js'

const BATCH = 500

function eventData(event: RegistryEvent) {
  return { agentId: event.agentId, at: new Date(event.atMs).toISOString(), ...event.data }
}

/**
 * `GET /v1/agents/watch`: registry changes as server-sent events. A client resumes after the
 * last event it saw with `Last-Event-ID` (or `?lastEventId=`); without either it gets changes
 * from now on. The bus only wakes the stream; events are read from the store in order, so none
 * is lost or repeated.
 */
export function watchRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const openSse = sseStreams(app)

  app.get<{ Querystring: { lastEventId?: number } }>(
    '/v1/agents/watch',
    {
      schema: {
        tags: ['registry'],
        summary: 'Follow registry changes (SSE)',
        description:
          'Events: registered, updated, removed, online, offline; each has an id. Resume with the Last-Event-ID header.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { lastEventId: { type: 'integer', minimum: 0 } },
        },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id']
      const fromHeader =
        typeof header === 'string' && /^\d{1,15}$/.test(header) ? Number(header) : undefined
      let cursor = fromHeader ?? request.query.lastEventId ?? (await ctx.registry.lastEventSeq())
      const stream = openSse(reply, { retryMs: 2000 })
      let ended = false
      let pumping = Promise.resolve()
      const pump = () => {
        pumping = pumping
          .then(async () => {
            for (;;) {
              if (ended) return
              const events = await ctx.registry.eventsAfter(cursor, BATCH)
              for (const event of events) {
                stream.send({ id: event.seq, event: event.type, data: eventData(event) })
                cursor = event.seq
              }
              if (events.length < BATCH) return
            }
          })
          .catch((error: unknown) => {
            request.log.error({ err: error }, 'registry watch failed')
            stream.close()
          })
      }
      const unsubscribe = ctx.bus.subscribe(REGISTRY_CHANGED, pump)
      void stream.closed.then(() => {
        ended = true
        unsubscribe()
      })
      pump()
    },
  )
}
