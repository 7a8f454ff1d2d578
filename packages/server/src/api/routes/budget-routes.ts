import {
  didSchema,
  MeshError,
  moneySchema,
  parseMoney,
  toMoney,
  type Money,
} from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { BudgetView } from '../../core/ledger/budget-service.js'
import type { BudgetPeriod } from '../../core/ledger/types.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import { isAdmin, moneyFor } from './ledger-views.js'

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

const moneyOrNull = (micros: bigint | null, currency: string) =>
  micros === null ? null : toMoney(micros, currency)

function budgetView(b: BudgetView) {
  return {
    principal: b.principal,
    limit: toMoney(b.limitMicros, b.currency),
    period: b.period,
    adminLimit: moneyOrNull(b.adminLimitMicros, b.currency),
    ownLimit: moneyOrNull(b.ownerLimitMicros, b.currency),
    spent: toMoney(b.spentMicros, b.currency),
    periodStart: iso(b.periodStartMs),
    resetsAt: iso(b.resetsAtMs),
  }
}

const budgetSchema = {
  type: 'object',
  properties: {
    principal: { type: 'string' },
    limit: { ...moneySchema, description: 'The limit that applies: the lower of the two below' },
    period: { enum: ['day', 'month', 'none'] },
    adminLimit: {
      anyOf: [moneySchema, { type: 'null' }],
      description: 'Set by an admin; the principal cannot raise it',
    },
    ownLimit: {
      anyOf: [moneySchema, { type: 'null' }],
      description: 'Set by the principal itself, at most the admin limit',
    },
    spent: moneySchema,
    periodStart: { type: ['string', 'null'] },
    resetsAt: { type: ['string', 'null'] },
  },
} as const

/** Budgets: a principal's cap per currency and period, checked when funds are reserved. */
export function budgetRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const params = {
    type: 'object',
    required: ['principal'],
    properties: { principal: didSchema },
  } as const
  const own = (request: { params: { principal: string } } & Parameters<typeof callerOf>[0]) => {
    const caller = callerOf(request)
    if (caller.did !== request.params.principal && !isAdmin(caller))
      throw new MeshError('FORBIDDEN', 'Only the principal itself or an admin manages its budget')
  }

  app.put<{ Params: { principal: string }; Body: { limit: Money; period: BudgetPeriod } }>(
    '/v1/budgets/:principal',
    {
      schema: {
        tags: ['ledger'],
        summary:
          'Set the spending limit per period (day, month, or none: never resets) in one currency',
        description:
          "Reservations (pending transfers) and payments out of the principal's account count against it; a reservation gives back what it did not pay. Periods are UTC days and months. A principal may have one budget per period and currency; all apply, and a new one counts what was already spent in its period. An admin's limit binds the principal: the principal may set its own limit for the period, at most the admin's for that period or a longer one (403 BUDGET_ABOVE_ADMIN_LIMIT otherwise).",
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['limit', 'period'],
          properties: { limit: moneySchema, period: { enum: ['day', 'month', 'none'] } },
        },
        response: { 200: budgetSchema },
      },
    },
    async (request) => {
      own(request)
      const { limit, period } = request.body
      moneyFor(limit, limit.currency, ctx.currencies)
      const { micros, currency } = parseMoney(limit)
      const by = isAdmin(callerOf(request)) ? 'admin' : 'owner'
      return budgetView(
        await ctx.budgets.set(
          request.params.principal,
          { limitMicros: micros, currency, period },
          by,
        ),
      )
    },
  )

  app.get<{ Params: { principal: string } }>(
    '/v1/budgets/:principal',
    {
      schema: {
        tags: ['ledger'],
        summary: "A principal's budgets, one per currency and period",
        params,
        response: {
          200: {
            type: 'object',
            properties: {
              principal: { type: 'string' },
              budgets: { type: 'array', items: budgetSchema },
            },
          },
        },
      },
    },
    async (request) => {
      own(request)
      const budgets = await ctx.budgets.list(request.params.principal)
      return { principal: request.params.principal, budgets: budgets.map(budgetView) }
    },
  )
}
