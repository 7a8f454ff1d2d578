import {
  moneySchema,
  parseMoney,
  type Money,
  type TemplatePage,
  type TemplateRatingPage,
} from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { HostedLimits } from '../../core/hosted/hosted-types.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import { limitsSchema } from './hosted-agent-routes.js'
import { hostedAgentView, templateRatingView, templateView } from './hosted-views.js'

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^tpl_[a-z0-9_]{1,64}$' } },
} as const

interface PublishBody {
  agentId: string
  description: string
  category: string
  licence: string
  paramsSchema: Record<string, unknown>
  deployPrice?: Money | null
}

/**
 * Templates: an owner publishes a hosted agent; anyone lists them; a deployer creates its own
 * hosted agent from one with its parameters and its signed card, and may rate it.
 */
export function templateRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['templates']
  app.post<{ Body: PublishBody }>(
    '/v1/templates',
    {
      config: { access: ['agent', 'admin'] },
      schema: {
        tags,
        summary: "Publish one of the caller's hosted agents as a template",
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['agentId', 'description', 'category', 'licence', 'paramsSchema'],
          properties: {
            agentId: { type: 'string', maxLength: 200 },
            description: { type: 'string', minLength: 1, maxLength: 4096 },
            category: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,31}$' },
            licence: { type: 'string', pattern: '^[A-Za-z0-9.+-]{1,64}$' },
            paramsSchema: { type: 'object' },
            deployPrice: { anyOf: [moneySchema, { type: 'null' }] },
          },
        },
      },
    },
    async (request, reply) => {
      const { deployPrice, ...rest } = request.body
      const money = deployPrice ? parseMoney(deployPrice) : null
      const template = await ctx.templates.publish(callerOf(request), {
        ...rest,
        deployPriceMicros: money?.micros ?? null,
        currency: money?.currency ?? ctx.hosted.policy.price.currency,
      })
      return reply.status(201).send(templateView(template))
    },
  )

  app.get<{
    Querystring: {
      q?: string
      category?: string
      sort?: 'popular' | 'newest' | 'rating'
      limit?: number
      cursor?: string
    }
  }>(
    '/v1/templates',
    {
      schema: {
        tags,
        summary:
          'List templates: search words, a category, popular (by deployments), newest or best rated first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 200 },
            category: { type: 'string', maxLength: 32 },
            sort: { enum: ['popular', 'newest', 'rating'] },
            limit: { type: 'integer', minimum: 1, maximum: 100 },
            cursor: { type: 'string', pattern: '^\\d{1,6}$' },
          },
        },
      },
    },
    async (request): Promise<TemplatePage> => {
      const { q, category, sort, limit = 20, cursor } = request.query
      const offset = cursor === undefined ? 0 : Number(cursor)
      const found = await ctx.templates.list({
        ...(q === undefined ? {} : { q }),
        ...(category === undefined ? {} : { category }),
        sort: sort ?? 'popular',
        limit: limit + 1,
        offset,
      })
      const page: TemplatePage = { templates: found.slice(0, limit).map(templateView) }
      if (found.length > limit) page.nextCursor = String(offset + limit)
      return page
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/templates/:id',
    { schema: { tags, summary: 'Read a template', params: idParams } },
    async (request) => templateView(await ctx.templates.get(request.params.id)),
  )

  app.post<{
    Params: { id: string }
    Body: { card: string; params: Record<string, unknown>; limits?: Partial<HostedLimits> }
  }>(
    '/v1/templates/:id/deploy',
    {
      config: { access: ['agent', 'admin'] },
      schema: {
        tags,
        summary: "Deploy a template as the caller's own hosted agent, with its parameters",
        description:
          "The caller signs a card naming its DID and carrying the template's capabilities; the code is the template's, pinned by hash. Parameters are checked against the template's schema (16 KiB, depth 8).",
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['card', 'params'],
          properties: {
            card: { type: 'string', minLength: 1, maxLength: 300_000 },
            params: { type: 'object' },
            limits: limitsSchema,
          },
        },
      },
    },
    async (request, reply) => {
      const { card, params, limits } = request.body
      const agent = await ctx.templates.deploy(callerOf(request), request.params.id, {
        card,
        params,
        limits,
      })
      return reply.status(201).send(hostedAgentView(agent, ctx.hosted.policy))
    },
  )

  app.post<{ Params: { id: string }; Body: { stars: number; comment?: string } }>(
    '/v1/templates/:id/ratings',
    {
      config: { access: ['agent', 'admin'] },
      schema: {
        tags,
        summary: 'Rate a template the caller deployed: 1 to 5 stars, a comment',
        description:
          "One rating per deployer: rating again replaces the caller's rating. The template's owner, and anyone who never deployed it, get 403 TEMPLATE_NOT_DEPLOYED.",
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['stars'],
          properties: {
            stars: { type: 'integer', minimum: 1, maximum: 5 },
            comment: { type: 'string', maxLength: 1000 },
          },
        },
      },
    },
    async (request) => {
      const { rating, template } = await ctx.templates.rate(
        callerOf(request),
        request.params.id,
        request.body,
      )
      return { rating: templateRatingView(rating), template: templateView(template) }
    },
  )

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/v1/templates/:id/ratings',
    {
      schema: {
        tags,
        summary: "A template's ratings, the latest first",
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 100 },
            cursor: { type: 'string', pattern: '^\\d{1,6}$' },
          },
        },
      },
    },
    async (request): Promise<TemplateRatingPage> => {
      const { limit = 20, cursor } = request.query
      const offset = cursor === undefined ? 0 : Number(cursor)
      const found = await ctx.templates.ratings(request.params.id, limit + 1, offset)
      const page: TemplateRatingPage = { ratings: found.slice(0, limit).map(templateRatingView) }
      if (found.length > limit) page.nextCursor = String(offset + limit)
      return page
    },
  )
}
