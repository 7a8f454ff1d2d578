import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import { taskView } from '../task-view.js'

/** The `webhook` a submission may carry: where its state changes go, and the HMAC secret. */
export const webhookSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'secret'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    secret: { type: 'string', minLength: 16, maxLength: 256 },
  },
} as const

/** A submission's webhook, as the route reads it. */
export interface WebhookBody {
  url: string
  secret: string
}

/**
 * Subscribes a task's requester to its state changes (`webhook` of `POST /v1/tasks`): each change
 * is POSTed, signed with the secret (see README, "Push notifications").
 */
export async function subscribeWebhook(
  ctx: ApiContext,
  taskId: string,
  owner: string,
  webhook: WebhookBody,
): Promise<void> {
  const task = await ctx.store.tasks.get(taskId)
  if (!task) return
  await ctx.push.set(task, { id: `webhook-${randomUUID()}`, owner, ...webhook })
  await ctx.audit.record({
    actor: owner,
    action: 'task.webhook',
    resource: `task:${taskId}`,
    result: 'ok',
    details: { host: new URL(webhook.url).host },
  })
}

/** `POST /v1/tasks/:id/input`: the requester answers its agent's question (multi-turn tasks). */
export function taskInputRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Params: { id: string }; Body: { input: unknown } }>(
    '/v1/tasks/:id/input',
    {
      schema: {
        tags: ['tasks'],
        summary: "Answer a task's request for input (state input_required); the agent resumes",
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', maxLength: 200 } },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['input'],
          properties: { input: {} },
        },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const task = await ctx.tasks.answer(caller, request.params.id, request.body.input)
      await ctx.audit.record({
        actor: caller.did,
        action: 'task.input',
        resource: `task:${task.id}`,
        result: 'ok',
      })
      return taskView(task)
    },
  )
}
