import {
  amountSchema,
  capabilityIdSchema,
  parseAmount,
  didSchema,
  MeshError,
  moneySchema,
  parseMoney,
  type Money,
} from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { SubmitRequest } from '../../core/tasks/task-service.js'
import { isTerminal, type RetryPolicy, type VerifyPolicy } from '../../core/tasks/task-types.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import { sseStreams } from '../sse.js'
import { ratingBodySchema, ratingResponseSchema, ratingToWire } from './reputation-routes.js'
import { taskView } from '../task-view.js'
import {
  subscribeWebhook,
  taskInputRoutes,
  webhookSchema,
  type WebhookBody,
} from './task-input-routes.js'

const MAX_TIMEOUT_MS = 600_000
const MAX_WAIT_MS = 600_000
const DEFAULT_ORACLE_TOLERANCE = 0.01

interface SubmitBody {
  webhook?: WebhookBody
  capability?: string
  contractId?: string
  agentId?: string
  input: unknown
  maxPrice?: Money
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  idempotencyKey?: string
  verify?: VerifyBody
  parentTaskId?: string
  maxUnits?: number
  bonus?: string
}

/** `verify` as sent: an oracle's tolerance and field may be left out. */
type VerifyBody =
  | Exclude<VerifyPolicy, { mode: 'oracle' }>
  | (Omit<Extract<VerifyPolicy, { mode: 'oracle' }>, 'tolerance' | 'field'> & {
      tolerance?: number
      field?: string
    })

/** `verify: {mode: "oracle", …}`: n sources, aggregated by weighted median or majority. */
const oracleVerifySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mode', 'n', 'aggregate'],
  properties: {
    mode: { const: 'oracle' },
    n: { type: 'integer', minimum: 3, maximum: 9 },
    aggregate: { enum: ['median', 'majority'] },
    tolerance: {
      type: 'number',
      minimum: 0,
      maximum: 1000,
      description: `median: a paid source is within tolerance × |answer| of it (default ${DEFAULT_ORACLE_TOLERANCE})`,
    },
    field: {
      type: 'string',
      maxLength: 200,
      pattern: '^(/.*)?$',
      description: 'A JSON pointer to the answer in the output; "" (default): the whole output',
    },
  },
} as const

const submitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['input'],
  properties: {
    capability: capabilityIdSchema,
    contractId: { type: 'string', maxLength: 200 },
    agentId: didSchema,
    input: {},
    maxPrice: moneySchema,
    timeoutMs: { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS },
    retry: {
      type: 'object',
      additionalProperties: false,
      properties: {
        initialIntervalMs: { type: 'integer', minimum: 0, maximum: 60_000 },
        backoffCoefficient: { type: 'number', minimum: 1, maximum: 10 },
        maximumIntervalMs: { type: 'integer', minimum: 0, maximum: MAX_TIMEOUT_MS },
        maximumAttempts: { type: 'integer', minimum: 1, maximum: 10 },
        nonRetryableErrorCodes: {
          type: 'array',
          maxItems: 50,
          items: { type: 'string', maxLength: 64 },
        },
      },
    },
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 200 },
    verify: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['mode', 'n', 'agree'],
          properties: {
            mode: { const: 'quorum' },
            n: { type: 'integer', minimum: 2, maximum: 9 },
            agree: { type: 'integer', minimum: 1, maximum: 9 },
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['mode', 'capability'],
          properties: { mode: { const: 'validator' }, capability: capabilityIdSchema },
        },
        oracleVerifySchema,
      ],
    },
    parentTaskId: { type: 'string', maxLength: 200 },
    maxUnits: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000_000,
      description:
        'per_unit capabilities: the most units paid for; the task reserves maxPrice × maxUnits',
    },
    webhook: webhookSchema,
    bonus: {
      ...amountSchema,
      description:
        'Set aside beside the task (maxPrice currency): a 4 or 5 star rating within the bonus window pays half or all of it to the provider',
    },
  },
} as const

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 200 } },
} as const

/** Tasks: submit, read, list, follow, cancel. */
export function taskRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tasks = ctx.tasks
  const openSse = sseStreams(app)
  taskInputRoutes(app, ctx)
  app.post<{ Body: SubmitBody; Querystring: { wait?: number } }>(
    '/v1/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Submit a task; ?wait=MS answers the finished task when it finishes in time',
        body: submitSchema,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { wait: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS } },
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      const { maxPrice, verify, capability, bonus, webhook, ...body } = request.body
      // The webhook's URL is checked before any money moves: a refused URL submits nothing.
      if (webhook) await ctx.push.checkUrl(webhook.url)
      if (!body.contractId && (!capability || !maxPrice)) {
        throw new MeshError(
          'INVALID_INPUT',
          'A task names a capability and a maxPrice, or a contractId',
        )
      }
      if (verify?.mode === 'quorum' && verify.agree > verify.n) {
        throw new MeshError('INVALID_INPUT', `Quorum agree ${verify.agree} exceeds n ${verify.n}`)
      }
      // Under a contract, the contract sets the capability and the price.
      const { micros, currency } = maxPrice ? parseMoney(maxPrice) : { micros: 0n, currency: 'USD' }
      const submit: SubmitRequest = {
        ...body,
        capability: capability ?? '',
        maxPriceMicros: micros,
        currency,
        ...(verify ? { verify: withDefaults(verify) } : {}),
        ...(bonus === undefined ? {} : { bonusMicros: parseAmount(bonus) }),
      }
      const { task, created } = await tasks.submit(caller, submit)
      if (webhook && created) await subscribeWebhook(ctx, task.id, caller.did, webhook)
      const wait = request.query.wait
      if (created) {
        const first = JSON.stringify(taskView(task))
        await ctx.store.tasks.saveAnswer(task.id, first)
        if (!wait) return reply.status(202).type('application/json').send(first)
      } else if (!wait) {
        // A repeat: the same bytes as the first answer.
        const first = await ctx.store.tasks.getAnswer(task.id)
        if (first) return reply.status(202).type('application/json').send(first)
      }
      const finished = wait ? await tasks.waitFor(task.id, wait) : task
      return reply.status(isTerminal(finished.state) ? 200 : 202).send(taskView(finished))
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Read a task (requester, provider or admin)',
        params: idParams,
      },
    },
    async (request) => taskView(await tasks.get(callerOf(request), request.params.id)),
  )

  app.get<{
    Querystring: { state?: string; limit: number; cursor?: string; role?: 'requester' | 'provider' }
  }>(
    '/v1/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: 'List your tasks, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', maxLength: 20 },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request) => {
      const { state, limit, cursor } = request.query
      const page = await tasks.list(callerOf(request), {
        limit,
        ...(state ? { state } : {}),
        ...(cursor ? { cursor } : {}),
      })
      const last = page.at(-1)
      return {
        tasks: page.map(taskView),
        ...(page.length === limit && last ? { nextCursor: last.id } : {}),
      }
    },
  )

  app.post<{ Params: { id: string } }>(
    '/v1/tasks/:id/cancel',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Cancel a task; its provider gets an abort',
        params: idParams,
      },
    },
    async (request) => taskView(await tasks.cancel(callerOf(request), request.params.id)),
  )

  app.post<{ Params: { id: string }; Body: { stars: number } }>(
    '/v1/tasks/:id/rating',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Rate a settled task 1–5 (its requester only, once)',
        params: idParams,
        body: ratingBodySchema,
        response: { 200: ratingResponseSchema },
      },
    },
    async (request) => {
      const rating = await ctx.reputation.rate({
        taskId: request.params.id,
        rater: callerOf(request).did,
        stars: request.body.stars,
      })
      // The bonus the requester set aside: paid for a good rating, given back otherwise.
      await ctx.tasks.rated(request.params.id, request.body.stars)
      // The facts the task's agent read for it count the rating too.
      await ctx.knowledge.usage.recordRating(request.params.id, request.body.stars)
      return ratingToWire(rating)
    },
  )

  app.post<{ Params: { id: string }; Body: { amount?: string } | undefined }>(
    '/v1/tasks/:id/refund',
    {
      schema: {
        tags: ['tasks'],
        summary:
          'Refund a settled task to its requester, all or `amount` (its provider or an admin, once; a second is 409 ALREADY_REFUNDED)',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { amount: { ...amountSchema, description: "In the task's currency" } },
        },
      },
    },
    async (request) => {
      const amount = request.body?.amount
      return taskView(
        await tasks.refund(
          callerOf(request),
          request.params.id,
          amount === undefined ? undefined : parseAmount(amount),
        ),
      )
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/tasks/:id/events',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Follow a task (SSE): its states, then live states and progress',
        params: idParams,
      },
    },
    async (request, reply) => {
      const task = await tasks.get(callerOf(request), request.params.id)
      const stream = openSse(reply)
      let lastSeq = -1
      const live: unknown[] = []
      let replaying = true
      const emit = (event: unknown) => {
        const e = event as { type: string; seq?: number; state?: string }
        if (e.type === 'state') {
          if (e.seq !== undefined && e.seq <= lastSeq) return
          lastSeq = e.seq ?? lastSeq
          stream.send({ id: lastSeq, event: 'state', data: event })
          if (e.state && isTerminal(e.state as never)) {
            void tasks.get(callerOf(request), task.id).then((t) => {
              stream.send({ event: 'task', data: taskView(t) })
              stream.close()
            })
          }
        } else {
          stream.send({ event: e.type, data: event })
        }
      }
      const unsubscribe = tasks.subscribe(task.id, (event) =>
        replaying ? live.push(event) : emit(event),
      )
      const current = await tasks.get(callerOf(request), task.id)
      current.history.forEach((h, seq) =>
        emit({
          type: 'state',
          seq,
          state: h.state,
          at: new Date(h.atMs).toISOString(),
          ...(h.agentId ? { agentId: h.agentId } : {}),
        }),
      )
      replaying = false
      live.forEach(emit)
      await stream.closed
      unsubscribe()
    },
  )
}

/** The verify policy with an oracle's defaults filled in, as the task stores and shows it. */
function withDefaults(verify: VerifyBody): VerifyPolicy {
  if (verify.mode !== 'oracle') return verify
  return {
    ...verify,
    tolerance: verify.tolerance ?? DEFAULT_ORACLE_TOLERANCE,
    field: verify.field ?? '',
  }
}
