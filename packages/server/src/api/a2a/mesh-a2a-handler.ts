import type {
  AgentCard,
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task as A2ATask,
  TaskPushNotificationConfig,
  ListTaskPushNotificationConfigsResponse,
} from '@a2a-js/sdk'
import { TaskState } from '@a2a-js/sdk'
import type { A2ARequestHandler } from '@a2a-js/sdk/server'
import {
  ExtendedAgentCardNotConfiguredError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors'
import { MeshError, type Capability } from '@agentmesh/protocol'
import type { Caller } from '../../core/auth/caller.js'
import type { TaskService } from '../../core/tasks/task-service.js'
import { isTerminal, type Task } from '../../core/tasks/task-types.js'
import { a2aErrors } from './a2a-errors.js'
import { agentMessage, inputOf, textPart, toA2AState, toA2ATask } from './a2a-mapping.js'
import { readTerms, type PriceSource } from './message-terms.js'

/** Whom an A2A endpoint speaks for: one agent of the mesh, or the node (routing by discovery). */
export interface A2ATarget {
  /** The agent every task goes to; undefined for the node's own endpoint. */
  agentId: string | undefined
  capabilities: Capability[]
  card: AgentCard
}

/** The services a request handler translates to. */
export interface A2AHandlerDeps {
  tasks: TaskService
  prices: PriceSource
}

const MAX_PAGE = 100

/**
 * One A2A request, translated onto the task service for the authenticated caller: a message
 * becomes a task (the caller pays, escrow and settlement as for any task), reads and cancels go
 * to the caller's tasks, streams follow a task's events. Built per request; `signal` ends the
 * streams when the client goes away or the node stops.
 */
export class MeshA2AHandler implements A2ARequestHandler {
  readonly #deps: A2AHandlerDeps
  readonly #caller: Caller
  readonly #target: A2ATarget
  readonly #signal: AbortSignal

  constructor(deps: A2AHandlerDeps, caller: Caller, target: A2ATarget, signal: AbortSignal) {
    this.#deps = deps
    this.#caller = caller
    this.#target = target
    this.#signal = signal
  }

  getAgentCard(): Promise<AgentCard> {
    return Promise.resolve(this.#target.card)
  }

  getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    return Promise.reject(new ExtendedAgentCardNotConfiguredError())
  }

  sendMessage(params: SendMessageRequest): Promise<A2ATask> {
    return a2aErrors(async () => {
      const task = await this.#submit(params)
      if (params.configuration?.returnImmediately) return toA2ATask(task)
      const finished = await this.#deps.tasks.waitFor(task.id, task.timeoutMs + 5000)
      return toA2ATask(finished)
    })
  }

  async *sendMessageStream(params: SendMessageRequest): AsyncGenerator<StreamResponse> {
    const task = await a2aErrors(() => this.#submit(params))
    yield* this.#follow(task.id)
  }

  getTask(params: GetTaskRequest): Promise<A2ATask> {
    return a2aErrors(async () => toA2ATask(await this.#read(params.id)))
  }

  listTasks(params: ListTasksRequest): Promise<ListTasksResponse> {
    return a2aErrors(async () => {
      const size: unknown = params.pageSize ?? 50
      if (typeof size !== 'number' || !Number.isInteger(size)) {
        throw new MeshError('INVALID_INPUT', `Page size "${String(size)}" is not an integer`)
      }
      const limit = Math.min(Math.max(size, 1), MAX_PAGE)
      const page = await this.#deps.tasks.list(this.#caller, {
        limit,
        ...(params.pageToken ? { cursor: params.pageToken } : {}),
      })
      const status = params.status
      const tasks = page
        .filter((t) => this.#inScope(t))
        .map((t) => toA2ATask(t))
        .filter(
          (t) =>
            status === TaskState.TASK_STATE_UNSPECIFIED ||
            status === undefined ||
            t.status?.state === status,
        )
      const last = page.at(-1)
      return {
        tasks,
        nextPageToken: page.length === limit && last ? last.id : '',
        pageSize: limit,
        totalSize: tasks.length,
      }
    })
  }

  cancelTask(params: CancelTaskRequest): Promise<A2ATask> {
    return a2aErrors(async () => {
      await this.#read(params.id)
      return toA2ATask(await this.#deps.tasks.cancel(this.#caller, params.id))
    })
  }

  async *resubscribe(params: SubscribeToTaskRequest): AsyncGenerator<StreamResponse> {
    await a2aErrors(() => this.#read(params.id))
    yield* this.#follow(params.id)
  }

  createTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    return Promise.reject(new PushNotificationNotSupportedError())
  }

  getTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    return Promise.reject(new PushNotificationNotSupportedError())
  }

  listTaskPushNotificationConfigs(): Promise<ListTaskPushNotificationConfigsResponse> {
    return Promise.reject(new PushNotificationNotSupportedError())
  }

  deleteTaskPushNotificationConfig(): Promise<void> {
    return Promise.reject(new PushNotificationNotSupportedError())
  }

  async #submit(params: SendMessageRequest): Promise<Task> {
    const message: Message | undefined = params.message
    if (!message) throw new RequestMalformedError('The request has no message')
    if (message.taskId) {
      throw new UnsupportedOperationError(
        'Follow-up messages to a task are not supported: every message starts a task',
      )
    }
    const input = inputOf(message)
    const terms = await readTerms(
      { ...(params.metadata ?? {}), ...(message.metadata ?? {}) },
      this.#target,
      this.#deps.prices,
    )
    const { task } = await this.#deps.tasks.submit(this.#caller, {
      capability: terms.capability,
      input,
      maxPriceMicros: terms.maxPriceMicros,
      currency: terms.currency,
      ...(this.#target.agentId ? { agentId: this.#target.agentId } : {}),
      ...(terms.timeoutMs === undefined ? {} : { timeoutMs: terms.timeoutMs }),
      // A client that resends a message (same id) gets the same task, not a second payment.
      ...(message.messageId ? { idempotencyKey: `a2a:${message.messageId}` } : {}),
    })
    return task
  }

  async #read(id: string): Promise<Task> {
    const task = await this.#deps.tasks.get(this.#caller, id)
    if (!this.#inScope(task)) throw new TaskNotFoundError(`Task "${id}" is not this agent's`)
    return task
  }

  #inScope(task: Task): boolean {
    const agentId = this.#target.agentId
    return agentId === undefined || task.agentId === agentId || task.providerId === agentId
  }

  /** The task, then its status changes and progress, then its artifact and final status. */
  async *#follow(id: string): AsyncGenerator<StreamResponse> {
    const queue: { type: string; seq?: number; state?: string; message?: string }[] = []
    let wake = () => {}
    const unsubscribe = this.#deps.tasks.subscribe(id, (event) => {
      queue.push(event as (typeof queue)[number])
      wake()
    })
    const aborted = new Promise<void>((resolve) => {
      if (this.#signal.aborted) resolve()
      this.#signal.addEventListener('abort', () => resolve(), { once: true })
    })
    try {
      let task = await a2aErrors(() => this.#deps.tasks.get(this.#caller, id))
      yield { payload: { $case: 'task', value: toA2ATask(task, { includeArtifacts: false }) } }
      let seen = task.history.length - 1
      let last = toA2AState(task.state)
      let finished = isTerminal(task.state)
      while (!finished && !this.#signal.aborted) {
        if (queue.length === 0) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted])
          continue
        }
        for (const event of queue.splice(0)) {
          if (event.type === 'state' && event.seq !== undefined && event.seq > seen) {
            seen = event.seq
            if (isTerminal(event.state as Task['state'])) finished = true
            else if (toA2AState(event.state as Task['state']) !== last) {
              last = toA2AState(event.state as Task['state'])
              yield this.#status(id, last, undefined)
            }
          } else if (event.type === 'progress' && event.message) {
            yield this.#status(id, TaskState.TASK_STATE_WORKING, event.message)
          }
        }
      }
      if (!finished) return
      task = await a2aErrors(() => this.#deps.tasks.get(this.#caller, id))
      const final = toA2ATask(task)
      for (const artifact of final.artifacts) {
        yield {
          payload: {
            $case: 'artifactUpdate',
            value: {
              taskId: id,
              contextId: id,
              artifact,
              append: false,
              lastChunk: true,
              metadata: undefined,
            },
          },
        }
      }
      yield {
        payload: {
          $case: 'statusUpdate',
          value: { taskId: id, contextId: id, status: final.status, metadata: final.metadata },
        },
      }
    } finally {
      unsubscribe()
    }
  }

  #status(id: string, state: TaskState, text: string | undefined): StreamResponse {
    return {
      payload: {
        $case: 'statusUpdate',
        value: {
          taskId: id,
          contextId: id,
          status: {
            state,
            message: text ? agentMessage(id, `${id}:progress`, [textPart(text)]) : undefined,
            timestamp: new Date().toISOString(),
          },
          metadata: undefined,
        },
      },
    }
  }
}
