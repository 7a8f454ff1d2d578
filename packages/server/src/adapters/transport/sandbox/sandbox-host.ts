import { MeshError, parseAmount } from '@agentmesh/protocol'
import type { Caller } from '../../../core/auth/caller.js'
import type { HostedAgent } from '../../../core/hosted/hosted-types.js'
import type { SandboxHost } from '../../../core/ports/sandbox.js'
import type { Dispatch, DispatchEvent } from '../../../core/ports/task-transport.js'
import type { SubmitRequest, Task } from '../../../core/tasks/task-types.js'
import { guardedFetch, type OutboundPolicy } from '../../http/guarded-fetch.js'

/** The node's task service as a guest's `ctx.call` uses it. */
export interface CallService {
  submit(caller: Caller, request: SubmitRequest): Promise<{ task: Task }>
  waitFor(id: string, waitMs: number): Promise<Task>
}

const MAX_BODY_CHARS = 1024 * 1024

/**
 * What a guest reaches of the world during one task, and nothing more: progress to the
 * requester, calls to other capabilities as its owner on the task's behalf (the task's budget,
 * depth and deadline pass down, as for an SDK agent's `ctx.call`), `fetch` through the node's
 * guarded client to the hosts its owner declared, and a capped log.
 */
export function sandboxHost(context: {
  agent: HostedAgent
  dispatch: Dispatch
  onEvent: (event: DispatchEvent) => void
  tasks: () => CallService
  outbound: OutboundPolicy
  log: (level: 'info' | 'warn' | 'error', message: string) => void
  now: () => number
}): SandboxHost {
  const { agent, dispatch } = context
  const fetcher = guardedFetch(context.outbound)
  return {
    progress(progress, message) {
      context.onEvent({
        type: 'progress',
        ...(typeof progress === 'number' && progress >= 0 && progress <= 1 ? { progress } : {}),
        ...(typeof message === 'string' ? { message: message.slice(0, 1000) } : {}),
      })
    },
    async call(capabilityId, input, options) {
      const maxPriceMicros =
        options.maxPrice === undefined ? dispatch.budgetMicros : parseAmount(options.maxPrice)
      const caller: Caller = { did: agent.owner, roles: ['agent'] }
      const remainingMs = Math.max(1, dispatch.deadlineAtMs - context.now())
      const { task } = await context.tasks().submit(caller, {
        capability: capabilityId,
        input,
        maxPriceMicros,
        currency: dispatch.currency,
        parentTaskId: dispatch.taskId,
        timeoutMs: remainingMs,
      })
      const done = await context.tasks().waitFor(task.id, remainingMs)
      if (done.state === 'completed') return done.output
      const error = done.error
      throw error
        ? new MeshError(error.code, error.message)
        : new MeshError('TIMEOUT', `Call of "${capabilityId}" did not finish in time`)
    },
    async fetch(url, init) {
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        throw new MeshError('INVALID_INPUT', `"${url.slice(0, 200)}" is not a URL`)
      }
      if (!/^https?:$/.test(parsed.protocol) || !agent.allowedHosts.includes(parsed.hostname)) {
        throw new MeshError(
          'ADDRESS_NOT_ALLOWED',
          `Host "${parsed.hostname}" is not among the hosts this agent declared`,
        )
      }
      const response = await fetcher(parsed.href, {
        method: init.method ?? 'GET',
        ...(init.headers ? { headers: init.headers } : {}),
        ...(init.body === undefined ? {} : { body: init.body }),
        redirect: 'error',
      })
      const body = (await response.text()).slice(0, MAX_BODY_CHARS)
      return { status: response.status, headers: Object.fromEntries(response.headers), body }
    },
    log: (level, message) => context.log(level, message),
  }
}
