import type { NodeInfo } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { ApiContext } from '../context.js'

/** What this node is. */
export function infoRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/info',
    {
      config: { access: 'public' },
      schema: {
        tags: ['node'],
        summary: 'The node: its DID, version, mode and currencies',
        response: {
          200: {
            type: 'object',
            properties: {
              did: { type: 'string' },
              version: { type: 'string' },
              mode: { enum: ['embedded', 'cluster'] },
              store: { enum: ['sqlite', 'postgres'] },
              currencies: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    (): NodeInfo => ({
      did: ctx.nodeDid,
      version: ctx.version,
      mode: ctx.mode,
      store: ctx.store.dialect,
      currencies: ctx.currencies,
    }),
  )
}
