import { moneySchema, type Money } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth-hook.js'
import type { ImportedAgents } from '../../adapters/transport/a2a-http/imported-agents.js'

interface ImportBody {
  cardUrl: string
  price?: Money
  timeoutMs?: number
}

/**
 * `POST /v1/agents/import {cardUrl, price?, timeoutMs?}`: registers an external A2A agent as a
 * provider (admins and agents). Its skills become capabilities at `price` per call (default 0).
 */
export function importRoutes(app: FastifyInstance, imports: ImportedAgents): void {
  app.post<{ Body: ImportBody }>(
    '/v1/agents/import',
    {
      config: { access: ['admin', 'agent'] },
      schema: {
        tags: ['agents', 'a2a'],
        summary: 'Import an external A2A agent by its card URL; the node calls it over HTTP',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['cardUrl'],
          properties: {
            cardUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
            price: moneySchema,
            timeoutMs: { type: 'integer', minimum: 1, maximum: 600_000 },
          },
        },
      },
    },
    async (request, reply) => {
      const { cardUrl, price, timeoutMs } = request.body
      const imported = await imports.import(callerOf(request), {
        cardUrl,
        price: price ?? { amount: '0', currency: 'USD' },
        timeoutMs: timeoutMs ?? 30_000,
      })
      return reply.status(201).send(imported)
    },
  )
}
