import { capabilityIdSchema, didSchema, type CapabilityPage } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { MAX_LISTING_LIMIT, type ListingInput } from '../../core/marketplace/marketplace-service.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'

const featuredParams = {
  type: 'object',
  required: ['agentId', 'capabilityId'],
  properties: { agentId: didSchema, capabilityId: capabilityIdSchema },
} as const

const featuredBody = {
  type: 'object',
  additionalProperties: false,
  required: ['featured'],
  properties: { featured: { type: 'boolean' } },
} as const

/** The marketplace: `GET /v1/capabilities` and an admin's `PUT …/featured`. */
export function marketplaceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: ListingInput }>(
    '/v1/capabilities',
    {
      schema: {
        tags: ['registry'],
        summary: 'Browse capabilities: popular, featured first, or cheapest first',
        description:
          'popular (the default) orders by completed calls, most first; featured puts the capabilities an admin featured first, then popular; price orders by price, cheapest first. category keeps the capabilities with that tag. Page with nextCursor.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            category: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
            sort: { type: 'string', enum: ['popular', 'featured', 'price'] },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LISTING_LIMIT },
            cursor: { type: 'string', maxLength: 1024 },
          },
        },
      },
    },
    (request): Promise<CapabilityPage> => ctx.marketplace.list(request.query),
  )

  app.put<{ Params: { agentId: string; capabilityId: string }; Body: { featured: boolean } }>(
    '/v1/capabilities/:agentId/:capabilityId/featured',
    {
      schema: {
        tags: ['registry'],
        summary: 'Feature a capability in the marketplace, or stop featuring it (admin)',
        params: featuredParams,
        body: featuredBody,
      },
    },
    async (request) => {
      const { agentId, capabilityId } = request.params
      const { featured } = request.body
      await ctx.marketplace.setFeatured(callerOf(request), { agentId, capabilityId }, featured)
      return { agentId, capabilityId, featured }
    },
  )
}
