import { toMoney, type PipelineRunView } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import {
  pipelineDefinitionSchema,
  type PipelineDefinition,
} from '../../core/pipelines/pipeline-definition.js'
import type { PipelineService } from '../../core/pipelines/pipeline-service.js'
import { runStates, type PipelineRun, type RunState } from '../../core/pipelines/pipeline-store.js'
import { callerOf } from '../auth-hook.js'
import { sseStreams } from '../sse.js'

/** A time as ISO 8601; no time stays null. */
function iso(ms: number): string
function iso(ms: number | null): string | null
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

/** A run as the API shows it. */
export function runView(run: PipelineRun): PipelineRunView {
  return {
    id: run.id,
    name: run.definition.name ?? null,
    state: run.state,
    requester: run.requester,
    input: run.input,
    budget: run.definition.budget,
    spent: toMoney(run.spentMicros, run.currency),
    steps: run.definition.steps.map((step) => {
      const s = run.steps[step.id]!
      return {
        id: step.id,
        capability: step.capability,
        needs: step.needs ?? [],
        onFailure: step.onFailure ?? 'stop',
        state: s.state,
        taskId: s.taskId,
        output: s.output,
        error: s.error,
        startedAt: iso(s.startedAtMs),
        endedAt: iso(s.endedAtMs),
      }
    }),
    createdAt: iso(run.createdAtMs),
    updatedAt: iso(run.updatedAtMs),
  }
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 200 } },
} as const

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', enum: [...runStates] },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', maxLength: 200 },
  },
} as const

/** Pipelines: run a definition, list, read and follow runs. */
export function pipelineRoutes(app: FastifyInstance, pipelines: PipelineService): void {
  const openSse = sseStreams(app)
  app.post<{
    Body: { definition: PipelineDefinition; input?: unknown }
    Querystring: { wait?: number }
  }>(
    '/v1/pipelines/runs',
    {
      schema: {
        tags: ['pipelines'],
        summary:
          'Run a pipeline definition; ?wait=MS answers the finished run when it ends in time',
        description:
          'Steps name a capability; `needs` orders them (independent steps run in parallel); `input` is a template in which every {"$ref": POINTER} is replaced by the JSON Pointer\'s value in {"input": RUN_INPUT, "steps": {ID: {"output": …}}}; `onFailure` is stop (default), continue or skip.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['definition'],
          properties: { definition: pipelineDefinitionSchema, input: {} },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { wait: { type: 'integer', minimum: 0, maximum: 600_000 } },
        },
      },
    },
    async (request, reply) => {
      const run = await pipelines.start(
        callerOf(request),
        request.body.definition,
        request.body.input,
      )
      const wait = request.query.wait
      const current = wait ? ((await pipelines.waitFor(run.id, wait)) ?? run) : run
      return reply.status(current.state === 'running' ? 202 : 200).send(runView(current))
    },
  )

  app.get<{ Querystring: { state?: RunState; limit: number; cursor?: string } }>(
    '/v1/pipelines/runs',
    {
      schema: {
        tags: ['pipelines'],
        summary: "List your pipeline runs (an admin: everyone's), newest first",
        description:
          'Pages of at most `limit` runs; pass `nextCursor` back as `cursor` for the next page. It is absent on a short page.',
        querystring: listQuery,
      },
    },
    async (request) => {
      const { state, limit, cursor } = request.query
      const page = await pipelines.list(callerOf(request), {
        limit,
        ...(state ? { state } : {}),
        ...(cursor ? { cursor } : {}),
      })
      const last = page.at(-1)
      return {
        results: page.map(runView),
        ...(page.length === limit && last ? { nextCursor: last.id } : {}),
      }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/pipelines/runs/:id',
    { schema: { tags: ['pipelines'], summary: 'Read a pipeline run', params: idParams } },
    async (request) => runView(await pipelines.get(callerOf(request), request.params.id)),
  )

  app.get<{ Params: { id: string } }>(
    '/v1/pipelines/runs/:id/events',
    {
      schema: {
        tags: ['pipelines'],
        summary: 'Follow a run (SSE): a snapshot, then step and run events',
        params: idParams,
      },
    },
    async (request, reply) => {
      const caller = callerOf(request)
      await pipelines.get(caller, request.params.id)
      const stream = openSse(reply)
      // Subscribe before the snapshot, so nothing falls between them.
      const unsubscribe = pipelines.subscribe(request.params.id, (event) => {
        const e = event as { type: string; state?: string }
        stream.send({ event: e.type, data: event })
        if (e.type === 'run' && e.state !== 'running') stream.close()
      })
      const run = await pipelines.get(caller, request.params.id)
      stream.send({ event: 'snapshot', data: runView(run) })
      if (run.state !== 'running') stream.close()
      await stream.closed
      unsubscribe()
    },
  )
}
