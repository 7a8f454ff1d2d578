import { didSchema, MeshError, type AgentInfo } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { AgentRecord } from '../../core/registry/registry-store.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'

/** A time as ISO 8601; no time stays null. */
function iso(ms: number): string
function iso(ms: number | null): string | null
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

const params = { type: 'object', required: ['id'], properties: { id: didSchema } } as const

/** A card travels as the compact JWS its agent signed; the node checks its size itself (413). */
const cardBody = {
  type: 'object',
  additionalProperties: false,
  required: ['card'],
  properties: {
    card: {
      type: 'string',
      minLength: 1,
      maxLength: 1_000_000,
      description: 'The agent card as a compact JWS (EdDSA) signed by the agent key',
    },
  },
} as const

/** What a read of an agent answers: its card, the signed form, and its presence. */
export function agentView(ctx: ApiContext, record: AgentRecord): AgentInfo {
  const presence = ctx.registry.presence.state(record.agentId)
  return {
    id: record.agentId,
    name: record.card.name,
    version: record.version,
    card: record.card,
    jws: record.jws,
    registeredAt: iso(record.registeredAtMs),
    updatedAt: iso(record.updatedAtMs),
    online: presence.online,
    lastSeenAt: iso(presence.lastSeenMs),
    load: { inFlight: presence.inFlight, concurrency: record.card.concurrency ?? 1 },
  }
}

/** Registration, reading, update, removal and heartbeats of agents. */
export function agentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { card: string } }>(
    '/v1/agents',
    {
      config: { access: ['agent', 'admin'] },
      schema: {
        tags: ['registry'],
        summary: 'Register an agent from its signed card',
        description:
          'The card (AgentCard) is signed by the agent key, which must be the caller. Limits: 256 KiB, 100 capabilities, schema depth 32; every input and output schema must compile (JSON Schema 2020-12).',
        body: cardBody,
      },
    },
    async (request, reply) => {
      const record = await ctx.registry.register(callerOf(request), request.body.card)
      return reply.status(201).send(agentView(ctx, record))
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/agents/:id',
    { schema: { tags: ['registry'], summary: 'Read an agent (its id is its DID)', params } },
    async (request) => {
      const record = await ctx.registry.record(request.params.id)
      if (!record) {
        throw new MeshError('AGENT_NOT_FOUND', `Agent "${request.params.id}" is not registered`)
      }
      return agentView(ctx, record)
    },
  )

  app.patch<{ Params: { id: string }; Body: { card: string } }>(
    '/v1/agents/:id',
    {
      config: { access: ['agent', 'admin'] },
      schema: {
        tags: ['registry'],
        summary: 'Replace the card with a newly signed one of a higher version',
        params,
        body: cardBody,
      },
    },
    async (request) => {
      const caller = callerOf(request)
      return agentView(ctx, await ctx.registry.update(caller, request.params.id, request.body.card))
    },
  )

  app.delete<{ Params: { id: string } }>(
    '/v1/agents/:id',
    {
      schema: {
        tags: ['registry'],
        summary: 'Remove an agent from search (itself or an admin); its history stays',
        params,
      },
    },
    async (request, reply) => {
      await ctx.registry.remove(callerOf(request), request.params.id)
      return reply.status(204).send()
    },
  )

  app.post<{ Params: { id: string }; Body: { inFlight?: number } }>(
    '/v1/agents/:id/heartbeat',
    {
      // A bare POST (no body at all) is a heartbeat too.
      preValidation: (request, _reply, done) => {
        request.body ??= {}
        done()
      },
      schema: {
        tags: ['registry'],
        summary: 'Keep an agent online for another TTL (the agent itself)',
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { inFlight: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
        },
      },
    },
    async (request) => {
      const { ttlMs, expiresAtMs } = await ctx.registry.heartbeat(
        callerOf(request),
        request.params.id,
        request.body.inFlight,
      )
      return { online: true, ttlMs, expiresAt: iso(expiresAtMs) }
    },
  )
}
