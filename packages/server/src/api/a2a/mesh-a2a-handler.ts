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
  GetTaskPushNotificationConfigRequest,
  ListTaskPushNotificationConfigsRequest,
  DeleteTaskPushNotificationConfigRequest,
} from '@a2a-js/sdk'
import { TaskState } from '@a2a-js/sdk'
import type { A2ARequestHandler } from '@a2a-js/sdk/server'
import {
  ExtendedAgentCardNotConfiguredError,
  RequestMalformedError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors'
import { MeshError, type Capability } from '@agentmesh/protocol'
import type { Caller } from '../../core/auth/caller.js'
import type { TaskService } from '../../core/tasks/task-service.js'
import { isTerminal, type Task } from '../../core/tasks/task-types.js'
import { a2aErrors } from './a2a-errors.js'
import { listTasks } from './a2a-list-tasks.js'
import { agentMessage, inputOf, textPart, toA2AState, toA2ATask } from './a2a-mapping.js'
import {
  deletePushConfig,
  getPushConfig,
  listPushConfigs,
  setPushConfig,
  type PushDeps,
} from './a2a-push-configs.js'
import { wholeAtLeast } from './a2a-request-check.js'
import { readTerms, type PriceSource } from './message-terms.js'

/** Whom an A2A endpoint speaks for: one agent of the mesh, or the node (routing by discovery). */
export interface A2ATarget {
  /** The agent every task goes to; undefined for the node's own endpoint. */
  agentId: string | undefined
  capabilities: Capability[]
  card: AgentCard
}

/** The services a request handler translates to. */
export interface A2AHandlerDeps extends PushDeps {
  tasks: TaskService
  prices: PriceSource
}

/** Whether a blocking SendMessage answers now: the task ended, or waits for its requester. */
const settled = (state: Task['state']) => isTerminal(state) || state === 'input_required'

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
      return toA2ATask(await this.#untilSettled(task, task.timeoutMs + 5000))
    })
  }

  async *sendMessageStream(params: SendMessageRequest): AsyncGenerator<StreamResponse> {
    const task = await a2aErrors(() => this.#submit(params))
    yield* this.#follow(task.id)
  }

  getTask(params: GetTaskRequest): Promise<A2ATask> {
    return a2aErrors(async () => {
      if (!wholeAtLeast(params.historyLength, 0)) {
        throw new MeshError('INVALID_INPUT', 'historyLength must be a whole number of at least 0')
      }
      const task = await this.#read(params.id)
      return toA2ATask(
        task,
        params.historyLength === undefined ? {} : { historyLength: params.historyLength },
      )
    })
  }

  listTasks(params: ListTasksRequest): Promise<ListTasksResponse> {
    return a2aErrors(() =>
      listTasks(this.#deps.tasks, this.#caller, this.#target.agentId, params, (task) =>
        this.#inScope(task),
      ),
    )
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

  createTaskPushNotificationConfig(
    params: TaskPushNotificationConfig,
  ): Promise<TaskPushNotificationConfig> {
    return a2aErrors(async () => {
      const task = await this.#owned(params.taskId)
      return setPushConfig(this.#deps, task, this.#caller.did, params)
    })
  }

  getTaskPushNotificationConfig(
    params: GetTaskPushNotificationConfigRequest,
  ): Promise<TaskPushNotificationConfig> {
    return a2aErrors(async () => {
      await this.#owned(params.taskId)
      return getPushConfig(this.#deps, params.taskId, params.id)
    })
  }

  listTaskPushNotificationConfigs(
    params: ListTaskPushNotificationConfigsRequest,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    return a2aErrors(async () => {
      await this.#owned(params.taskId)
      return listPushConfigs(this.#deps, params.taskId)
    })
  }

  deleteTaskPushNotificationConfig(params: DeleteTaskPushNotificationConfigRequest): Promise<void> {
    return a2aErrors(async () => {
      await this.#owned(params.taskId)
      await deletePushConfig(this.#deps, params.taskId, params.id)
    })
  }

  /** A task of this endpoint the caller requested (push configs are the requester's). */
  async #owned(id: string): Promise<Task> {
    const task = await this.#read(id)
    if (task.requester !== this.#caller.did) {
      throw new TaskNotFoundError(`Task "${id}" is not one you requested`)
    }
    return task
  }

  /** The task once it ended or asks its requester for input, or as it is after `waitMs`. */
  #untilSettled(task: Task, waitMs: number): Promise<Task> {
    const id = task.id
    const from = task.history.length
    return new Promise((resolve, reject) => {
      let done = false
      const finish = () => {
        if (done) return
        done = true
        unsubscribe()
        clearTimeout(timer)
        this.#signal.removeEventListener('abort', finish)
        this.#deps.tasks.get(this.#caller, id).then(resolve, reject)
      }
      const unsubscribe = this.#deps.tasks.subscribe(id, (event) => {
        const e = event as { type?: string; seq?: number; state?: Task['state'] }
        if (e.type === 'state' && (e.seq ?? 0) >= from && e.state && settled(e.state)) finish()
      })
      const timer = setTimeout(finish, waitMs)
      this.#signal.addEventListener('abort', finish, { once: true })
      this.#deps.tasks.get(this.#caller, id).then((now) => {
        if (now.history.length > from && settled(now.state)) finish()
      }, reject)
    })
  }

  async #submit(params: SendMessageRequest): Promise<Task> {
    const message: Message | undefined = params.message
    if (!message) throw new RequestMalformedError('The request has no message')
    if (message.taskId) return this.#followUp(message)
    if (message.contextId.length > 200) throw new RequestMalformedError('contextId is too long')
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
      ...(message.contextId ? { contextId: message.contextId } : {}),
      // A client that resends a message (same id) gets the same task, not a second payment.
      ...(message.messageId ? { idempotencyKey: `a2a:${message.messageId}` } : {}),
    })
    const push = params.configuration?.taskPushNotificationConfig
    if (push?.url) await setPushConfig(this.#deps, task, this.#caller.did, push)
    return task
  }

  /**
   * A message on an existing task: the requester's answer to the agent's question (the task
   * waits in input-required). A finished task, or one that asked nothing, takes no message.
   */
  async #followUp(message: Message): Promise<Task> {
    const task = await this.#read(message.taskId)
    if (isTerminal(task.state)) {
      throw new UnsupportedOperationError(`Task "${task.id}" is ${task.state}: it takes no message`)
    }
    if (task.state !== 'input_required') {
      throw new UnsupportedOperationError(`Task "${task.id}" is not waiting for input`)
    }
    const answered = await this.#deps.tasks.answer(this.#caller, task.id, inputOf(message))
    return { ...answered, history: [...answered.history] }
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
      // A task that asks its requester for input ends the stream (A2A's interrupted state).
      let asking = task.state === 'input_required'
      while (!finished && !asking && !this.#signal.aborted) {
        if (queue.length === 0) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted])
          continue
        }
        for (const event of queue.splice(0)) {
          if (event.type === 'state' && event.seq !== undefined && event.seq > seen) {
            seen = event.seq
            if (isTerminal(event.state as Task['state'])) finished = true
            else if (event.state === 'input_required') asking = true
            else if (toA2AState(event.state as Task['state']) !== last) {
              last = toA2AState(event.state as Task['state'])
              yield this.#status(id, last, undefined)
            }
          } else if (event.type === 'progress' && event.message) {
            yield this.#status(id, TaskState.TASK_STATE_WORKING, event.message)
          }
        }
      }
      if (asking && seen > task.history.length - 1) {
        const now = toA2ATask(await a2aErrors(() => this.#deps.tasks.get(this.#caller, id)))
        yield {
          payload: {
            $case: 'statusUpdate',
            value: {
              taskId: id,
              contextId: now.contextId,
              status: now.status,
              metadata: undefined,
            },
          },
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
              contextId: final.contextId,
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
          value: {
            taskId: id,
            contextId: final.contextId,
            status: final.status,
            metadata: final.metadata,
          },
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
