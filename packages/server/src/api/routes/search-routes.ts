import {
  amountSchema,
  capabilityIdSchema,
  currencySchema,
  type SearchPage,
} from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { MAX_SEARCH_LIMIT, type SearchInput } from '../../core/discovery/discovery-service.js'
import type { ApiContext } from '../context.js'

const TAG = '[a-z0-9][a-z0-9._-]{0,63}'

interface SearchQuerystring extends Omit<SearchInput, 'tags'> {
  tags?: string
  scope?: 'local' | 'federation'
}

/** `GET /v1/agents`: search and rank capabilities. */
export function searchRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: SearchQuerystring }>(
    '/v1/agents',
    {
      schema: {
        tags: ['registry'],
        summary: 'Search capabilities and rank them',
        description:
          'Full text over agent names and descriptions, capability ids, descriptions and tags (each word matches as a prefix). The score (0 to 1) weighs relevance, price against maxPrice, latency against maxLatencyMs or the SLA, reputation, liveness and load; explain=true shows every part and why. Page with nextCursor.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 256 },
            tags: {
              type: 'string',
              pattern: `^${TAG}(,${TAG}){0,31}$`,
              description: 'Comma-separated; every tag must be present',
            },
            capability: capabilityIdSchema,
            maxPrice: amountSchema,
            currency: currencySchema,
            minReputation: { type: 'number', minimum: 0, maximum: 5 },
            maxLatencyMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
            online: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_LIMIT },
            cursor: { type: 'string', maxLength: 512 },
            explain: { type: 'boolean' },
            scope: {
              type: 'string',
              enum: ['local', 'federation'],
              description:
                "federation: also peers' capabilities (each with its node and measured latency), after this node's",
            },
          },
        },
      },
    },
    async (request): Promise<SearchPage> => {
      const { tags, scope, ...rest } = request.query
      const input = { ...rest, ...(tags === undefined ? {} : { tags: tags.split(',') }) }
      const page = await ctx.discovery.search(input)
      const federation = ctx.federation?.current
      if (scope !== 'federation' || !federation || input.cursor !== undefined) return page
      return { ...page, results: [...page.results, ...(await federation.search(input))] }
    },
  )
}
