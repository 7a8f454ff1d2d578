import {
  capabilityIdSchema,
  didSchema,
  MeshError,
  toMoney,
  type SubscriptionView,
} from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { SubscriptionPeriod } from '../../core/ledger/subscriptions.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'

interface SubscribeBody {
  agentId: string
  capabilityId: string
}

const subscriptionSchema = {
  type: 'object',
  properties: {
    agentId: { type: 'string' },
    capabilityId: { type: 'string' },
    price: {
      type: 'object',
      properties: { amount: { type: 'string' }, currency: { type: 'string' } },
    },
    period: { enum: ['day', 'month'] },
    startsAt: { type: 'string' },
    lapsesAt: { type: 'string' },
    active: { type: 'boolean' },
    transferId: { type: 'string' },
  },
} as const

function subscriptionView(s: SubscriptionPeriod): SubscriptionView {
  return {
    agentId: s.provider,
    capabilityId: s.capabilityId,
    price: toMoney(s.transfer.amountMicros, s.transfer.currency),
    period: s.period,
    startsAt: new Date(s.startsAtMs).toISOString(),
    lapsesAt: new Date(s.lapsesAtMs).toISOString(),
    active: s.active,
    transferId: s.transfer.id,
  }
}

/**
 * Subscriptions: a capability priced `subscription` is paid once per period (day or month, UTC);
 * calls within the period cost nothing, and after it they answer 402 SUBSCRIPTION_LAPSED.
 */
export function subscriptionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: SubscribeBody }>(
    '/v1/subscriptions',
    {
      schema: {
        tags: ['ledger'],
        summary:
          'Pay the current period of a capability sold by subscription (again in the period: the same payment, 200)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['agentId', 'capabilityId'],
          properties: { agentId: didSchema, capabilityId: capabilityIdSchema },
        },
        response: { 200: subscriptionSchema, 201: subscriptionSchema },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      const { agentId, capabilityId } = request.body
      const capability = (await ctx.registry.get(agentId))?.capabilities.find(
        (c) => c.id === capabilityId,
      )
      if (!capability) {
        throw new MeshError(
          'CAPABILITY_NOT_FOUND',
          `Agent "${agentId}" offers no capability "${capabilityId}"`,
        )
      }
      const paid = await ctx.subscriptions.subscribe({
        subscriber: caller.did,
        provider: agentId,
        capabilityId,
        pricing: capability.pricing,
      })
      return reply.status(paid.created ? 201 : 200).send(subscriptionView(paid))
    },
  )

  app.get(
    '/v1/subscriptions',
    {
      schema: {
        tags: ['ledger'],
        summary: "The caller's subscriptions paid this month: the latest period of each",
        response: {
          200: {
            type: 'object',
            properties: { subscriptions: { type: 'array', items: subscriptionSchema } },
          },
        },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const found = await Promise.all(
        ctx.currencies.map((currency) => ctx.subscriptions.list(caller.did, currency)),
      )
      return { subscriptions: found.flat().map(subscriptionView) }
    },
  )
}
