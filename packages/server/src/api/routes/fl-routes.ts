import { modelSpecSchema, strategySpecSchema, trainConfigSchema } from '@agentmesh/fl'
import {
  capabilityIdSchema,
  moneySchema,
  type FlJobSpec,
  type FlJobState,
} from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import { sseStreams } from '../sse.js'
import { flJobView, flModelView } from './fl-views.js'

const states = ['running', 'completed', 'failed', 'canceled'] as const
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^fljob_[0-9a-z_]{1,60}$' } },
} as const
const fraction = { type: 'number', minimum: 0, maximum: 1 } as const

/** `POST /v1/fl/jobs`: every field bounded; the service checks what the fields mean together. */
export const flJobSpecSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'rounds', 'train', 'trainers', 'strategy', 'validators', 'budget'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    model: modelSpecSchema,
    rounds: { type: 'integer', minimum: 1, maximum: 100 },
    train: trainConfigSchema,
    trainers: {
      type: 'object',
      additionalProperties: false,
      required: ['count'],
      properties: {
        capability: capabilityIdSchema,
        count: { type: 'integer', minimum: 2, maximum: 200 },
        min: { type: 'integer', minimum: 1, maximum: 200 },
      },
    },
    strategy: strategySpecSchema,
    secureAggregation: {
      anyOf: [
        { type: 'boolean' },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            threshold: { type: 'integer', minimum: 2, maximum: 255 },
            neighbours: { type: 'integer', minimum: 2, maximum: 254 },
            clip: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
          },
        },
      ],
    },
    dp: {
      type: 'object',
      additionalProperties: false,
      required: ['clipNorm', 'noiseMultiplier'],
      properties: {
        clipNorm: { type: 'number', exclusiveMinimum: 0, maximum: 1e6 },
        noiseMultiplier: { type: 'number', exclusiveMinimum: 0, maximum: 1e6 },
        delta: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      },
    },
    validators: {
      type: 'object',
      additionalProperties: false,
      required: ['count'],
      properties: {
        capability: capabilityIdSchema,
        count: { type: 'integer', minimum: 1, maximum: 31 },
        f: { type: 'integer', minimum: 0, maximum: 10 },
      },
    },
    acceptance: {
      type: 'object',
      additionalProperties: false,
      properties: { minAccuracy: fraction, maxAccuracyDrop: fraction },
    },
    budget: moneySchema,
    pricePerUpdate: moneySchema,
    roundTimeoutMs: { type: 'integer', minimum: 1000, maximum: 600_000 },
  },
} as const

/**
 * Federated-learning jobs. Any signed-in client, agent or admin starts one (and pays for it); the
 * owner, an admin, the job's validators and its trainers read it, its model and its events; the
 * owner or an admin cancels it.
 */
export function flRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['federated-learning']
  const openSse = sseStreams(app)

  app.post<{ Body: FlJobSpec }>(
    '/v1/fl/jobs',
    {
      config: { access: ['client', 'agent', 'admin'] },
      schema: {
        tags,
        summary: 'Start a federated-learning job: its budget is escrowed, its rounds begin',
        body: flJobSpecSchema,
      },
    },
    async (request, reply) => {
      const { job, rounds } = await ctx.fl.create(callerOf(request), request.body)
      return reply.status(201).send(flJobView(job, rounds))
    },
  )

  app.get<{ Querystring: { state?: FlJobState; limit: number } }>(
    '/v1/fl/jobs',
    {
      schema: {
        tags,
        summary: "The caller's jobs, newest first (an admin's: everyone's), without their rounds",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: [...states] },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
        },
      },
    },
    async (request) => {
      const jobs = await ctx.fl.list(callerOf(request), request.query)
      return { jobs: jobs.map((job) => flJobView(job, [])) }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/fl/jobs/:id',
    {
      schema: {
        tags,
        summary: 'A job: rounds, metrics, contributions, payouts, certificates',
        params: idParams,
      },
    },
    async (request) => {
      const { job, rounds } = await ctx.fl.get(callerOf(request), request.params.id)
      return flJobView(job, rounds)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/fl/jobs/:id/model',
    {
      schema: { tags, summary: "The job's model in force, with its parameters", params: idParams },
    },
    async (request) => {
      const { job, model } = await ctx.fl.model(callerOf(request), request.params.id)
      return flModelView(job, model)
    },
  )

  app.post<{ Params: { id: string } }>(
    '/v1/fl/jobs/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Stop a running job after its current step (owner or admin)',
        params: idParams,
      },
    },
    async (request) => {
      const caller = callerOf(request)
      await ctx.fl.cancel(caller, request.params.id)
      const { job, rounds } = await ctx.fl.get(caller, request.params.id)
      return flJobView(job, rounds)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/fl/jobs/:id/events',
    {
      schema: {
        tags,
        summary: 'Follow a job (SSE): a snapshot, then round and job events until it ends',
        params: idParams,
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      await ctx.fl.get(caller, request.params.id)
      const stream = openSse(reply)
      // Subscribe before the snapshot, so nothing falls between them.
      const unsubscribe = ctx.fl.subscribe(request.params.id, (event) => {
        stream.send({ event: event.type, data: event })
        if (event.type === 'job') stream.close()
      })
      const { job, rounds } = await ctx.fl.get(caller, request.params.id)
      stream.send({ event: 'snapshot', data: flJobView(job, rounds) })
      if (job.state !== 'running') stream.close()
      await stream.closed
      unsubscribe()
    },
  )
}
