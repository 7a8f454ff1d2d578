import { currencySchema, didSchema, parseAmount, type HostedLogLine } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { HostedCreate, HostedUpdate } from '../../core/hosted/hosted-service.js'
import type { HostedLimits, ResourcePrice } from '../../core/hosted/hosted-types.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import { hostedAgentView } from './hosted-views.js'

const params = { type: 'object', required: ['id'], properties: { id: didSchema } } as const

/** Limits a request may ask for; the node's maxima are checked by the service. */
export const limitsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    memoryBytes: { type: 'integer', minimum: 1024 * 1024, maximum: 2 ** 34 },
    cpuMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
    wallMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
  },
} as const

const amount = { type: 'string', pattern: '^\\d{1,12}(\\.\\d{1,6})?$' } as const

const priceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['currency', 'cpuSecond', 'mbSecond'],
  properties: { currency: currencySchema, cpuSecond: amount, mbSecond: amount },
} as const

const codeSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 900_000,
  description: 'One ES module: `export default defineAgent({...})`; size-capped in bytes',
} as const
const cardSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 300_000,
  description: 'The agent card as a compact JWS signed by the caller (the card names its DID)',
} as const
const hostsSchema = {
  type: 'array',
  maxItems: 16,
  items: { type: 'string', maxLength: 253 },
  description:
    'Host names the code may fetch (exact names; the node still refuses private addresses)',
} as const

interface PriceBody {
  currency: string
  cpuSecond: string
  mbSecond: string
}
interface Body {
  code?: string
  card?: string
  limits?: Partial<HostedLimits>
  resourcePrice?: PriceBody | null
  allowedHosts?: string[]
}

const price = (body: PriceBody | null | undefined): ResourcePrice | null | undefined =>
  body &&
  ({
    currency: body.currency,
    cpuSecondMicros: parseAmount(body.cpuSecond),
    mbSecondMicros: parseAmount(body.mbSecond),
  } satisfies ResourcePrice)

/**
 * Hosted agents: `POST /v1/hosted-agents` uploads code with its owner's signed card; the owner
 * reads, updates, stops, starts and deletes it, and reads its recent log lines.
 */
export function hostedAgentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const view = (agent: Parameters<typeof hostedAgentView>[0]) =>
    hostedAgentView(agent, ctx.hosted.policy)
  const tags = ['hosted-agents']

  app.post<{ Body: Body & { code: string; card: string } }>(
    '/v1/hosted-agents',
    {
      config: { access: ['agent', 'admin'] },
      schema: {
        tags,
        summary: "Upload an agent's code for the node to run in its sandbox, with its signed card",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'card'],
          properties: {
            code: codeSchema,
            card: cardSchema,
            limits: limitsSchema,
            resourcePrice: priceSchema,
            allowedHosts: hostsSchema,
          },
        },
      },
    },
    async (request, reply) => {
      const { code, card, limits, resourcePrice, allowedHosts } = request.body
      const create: HostedCreate = {
        code,
        card,
        limits,
        resourcePrice: price(resourcePrice),
        allowedHosts,
      }
      return reply.status(201).send(view(await ctx.hosted.create(callerOf(request), create)))
    },
  )

  app.get(
    '/v1/hosted-agents',
    { schema: { tags, summary: "The caller's hosted agents (an admin's: every one)" } },
    async (request) => {
      const caller = callerOf(request)
      const all = await ctx.hosted.all()
      const mine = caller.roles.includes('admin') ? all : all.filter((a) => a.owner === caller.did)
      return { hostedAgents: mine.slice(0, 500).map(view) }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/hosted-agents/:id',
    {
      schema: {
        tags,
        summary: 'Read a hosted agent: limits, usage, code hash (owner only)',
        params,
      },
    },
    async (request) => view(await ctx.hosted.get(callerOf(request), request.params.id)),
  )

  app.patch<{ Params: { id: string }; Body: Body }>(
    '/v1/hosted-agents/:id',
    {
      schema: {
        tags,
        summary: 'Update the code, card (a higher version), limits, price or hosts (owner only)',
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            code: codeSchema,
            card: cardSchema,
            limits: limitsSchema,
            resourcePrice: { anyOf: [priceSchema, { type: 'null' }] },
            allowedHosts: hostsSchema,
          },
        },
      },
    },
    async (request) => {
      const { code, card, limits, resourcePrice, allowedHosts } = request.body
      const update: HostedUpdate = {
        code,
        card,
        limits,
        resourcePrice: price(resourcePrice),
        allowedHosts,
      }
      return view(await ctx.hosted.update(callerOf(request), request.params.id, update))
    },
  )

  for (const [verb, state] of [
    ['stop', 'stopped'],
    ['start', 'started'],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/v1/hosted-agents/:id/${verb}`,
      {
        schema: {
          tags,
          summary: `${verb === 'stop' ? 'Stop' : 'Start'} serving a hosted agent (owner only)`,
          params,
        },
      },
      async (request) =>
        view(await ctx.hosted.setState(callerOf(request), request.params.id, state)),
    )
  }

  app.delete<{ Params: { id: string } }>(
    '/v1/hosted-agents/:id',
    {
      schema: { tags, summary: 'Delete a hosted agent and its registration (owner only)', params },
    },
    async (request, reply) => {
      await ctx.hosted.delete(callerOf(request), request.params.id)
      return reply.status(204).send()
    },
  )

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>(
    '/v1/hosted-agents/:id/logs',
    {
      schema: {
        tags,
        summary: "A hosted agent's recent log lines, oldest first (owner only; capped)",
        params,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } },
        },
      },
    },
    async (request) => {
      const lines = await ctx.hosted.logs(callerOf(request), request.params.id, request.query.limit)
      const view: HostedLogLine[] = lines.map((l) => ({
        at: new Date(l.atMs).toISOString(),
        level: l.level,
        message: l.message,
      }))
      return { lines: view }
    },
  )
}
