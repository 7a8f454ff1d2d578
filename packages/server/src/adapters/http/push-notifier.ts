import { MeshError } from '@agentmesh/protocol'
import type { Bus } from '../../core/ports/bus.js'
import type { Clock } from '../../core/ports/clock.js'
import type { Logger } from '../../core/ports/logger.js'
import type { PushConfig, PushConfigStore } from '../../core/ports/push-config-store.js'
import type { Timers } from '../../core/ports/timers.js'
import { TASK_EVENTS, type TaskEvent } from '../../core/tasks/task-events.js'
import type { TaskStore } from '../../core/tasks/task-store.js'
import { isTerminal, type Task } from '../../core/tasks/task-types.js'
import { SIGNATURE_HEADER, signPush } from './push-signature.js'

/** How deliveries are paced: workers at once, queue bound, attempts and backoff. */
export interface PushOptions {
  concurrency: number
  maxQueued: number
  maxAttempts: number
  initialBackoffMs: number
  /** Configs one task may have. */
  maxPerTask: number
}

const defaults: PushOptions = {
  concurrency: 4,
  maxQueued: 10_000,
  maxAttempts: 5,
  initialBackoffMs: 250,
  maxPerTask: 10,
}

export interface PushNotifierDeps {
  bus: Bus
  clock: Clock
  timers: Timers
  logger?: Logger
  tasks: TaskStore
  configs: PushConfigStore
  /** The guarded outbound fetch (refuses addresses the policy does not allow). */
  fetch: typeof fetch
  /** Checks a URL the way `fetch` will, when a config is set (refuses private addresses early). */
  checkUrl: (url: URL) => Promise<unknown>
  /** The body of the notification for the task's transition number `seq`. */
  render: (task: Task, seq: number) => unknown
}

interface Delivery {
  config: PushConfig
  body: string
  attempt: number
}

/**
 * Pushes every state change of a subscribed task to its configs' URLs, off the task's path: a
 * transition only queues a delivery (bounded; past the bound a delivery is dropped and logged),
 * workers POST it signed, a failed POST is retried with exponential backoff. Each transition goes
 * to each config once (a config set late gets the transitions so far first).
 */
export class PushNotifier {
  readonly #deps: PushNotifierDeps
  readonly #options: PushOptions
  /** Per config (`taskId/id`): the last transition queued. */
  readonly #queuedSeq = new Map<string, number>()
  readonly #watched = new Set<string>()
  readonly #syncs = new Map<string, Promise<void>>()
  readonly #queue: Delivery[] = []
  readonly #timers = new Set<() => void>()
  #busy = 0
  #unsubscribe: (() => void) | undefined
  #stopped = false

  constructor(deps: PushNotifierDeps, options: Partial<PushOptions> = {}) {
    this.#deps = deps
    this.#options = { ...defaults, ...options }
  }

  start(): void {
    this.#unsubscribe = this.#deps.bus.subscribe(TASK_EVENTS, (message) => {
      const event = message.body as TaskEvent
      if (this.#watched.has(event.taskId)) void this.#sync(event.taskId)
    })
  }

  stop(): void {
    this.#stopped = true
    this.#unsubscribe?.()
    for (const cancel of this.#timers) cancel()
    this.#timers.clear()
    this.#queue.length = 0
  }

  /** Refuses a URL the node may not call (not http(s), credentials in it, a private address). */
  async checkUrl(text: string): Promise<void> {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw new MeshError('INVALID_INPUT', `"${text}" is not a URL`)
    }
    await this.#deps.checkUrl(url)
  }

  /** Sets (or replaces) a config of `task`; its URL must be one the node may call. */
  async set(task: Task, config: Omit<PushConfig, 'taskId' | 'createdAtMs'>): Promise<PushConfig> {
    await this.checkUrl(config.url)
    const existing = await this.#deps.configs.list(task.id)
    if (existing.length >= this.#options.maxPerTask && !existing.some((c) => c.id === config.id)) {
      throw new MeshError('INVALID_INPUT', `A task has at most ${this.#options.maxPerTask} configs`)
    }
    const stored: PushConfig = { ...config, taskId: task.id, createdAtMs: this.#deps.clock.now() }
    await this.#deps.configs.put(stored)
    this.#queuedSeq.delete(`${task.id}/${config.id}`)
    this.#watched.add(task.id)
    await this.#sync(task.id)
    return stored
  }

  /** Queues the transitions each config of the task has not had yet (one sync per task at once). */
  #sync(taskId: string): Promise<void> {
    const previous = this.#syncs.get(taskId) ?? Promise.resolve()
    const next = previous
      .then(() => this.#queueNew(taskId))
      .catch((error: unknown) => {
        this.#deps.logger?.error({ err: error, taskId }, 'push notifications: sync failed')
      })
    this.#syncs.set(taskId, next)
    void next.finally(() => {
      if (this.#syncs.get(taskId) === next) this.#syncs.delete(taskId)
    })
    return next
  }

  async #queueNew(taskId: string): Promise<void> {
    const task = await this.#deps.tasks.get(taskId)
    if (!task) return
    for (const config of await this.#deps.configs.list(taskId)) {
      const key = `${taskId}/${config.id}`
      const from = (this.#queuedSeq.get(key) ?? -1) + 1
      for (let seq = from; seq < task.history.length; seq++) {
        this.#enqueue({ config, body: JSON.stringify(this.#deps.render(task, seq)), attempt: 1 })
      }
      this.#queuedSeq.set(key, task.history.length - 1)
    }
    if (isTerminal(task.state)) this.#watched.delete(taskId)
  }

  #enqueue(delivery: Delivery): void {
    if (this.#stopped) return
    if (this.#queue.length >= this.#options.maxQueued) {
      this.#deps.logger?.warn({ taskId: delivery.config.taskId }, 'push queue full: dropped')
      return
    }
    this.#queue.push(delivery)
    this.#pump()
  }

  #pump(): void {
    while (this.#busy < this.#options.concurrency && this.#queue.length > 0) {
      const delivery = this.#queue.shift()!
      this.#busy++
      void this.#deliver(delivery).finally(() => {
        this.#busy--
        this.#pump()
      })
    }
  }

  async #deliver(delivery: Delivery): Promise<void> {
    const { config, body } = delivery
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (config.secret)
      headers[SIGNATURE_HEADER] = signPush(config.secret, body, this.#deps.clock.now())
    if (config.token) headers['x-a2a-notification-token'] = config.token
    try {
      const response = await this.#deps.fetch(config.url, { method: 'POST', headers, body })
      if (response.ok) return
      throw new MeshError('PROVIDER_ERROR', `Receiver answered ${response.status}`)
    } catch (error) {
      if (this.#stopped) return
      if (delivery.attempt >= this.#options.maxAttempts) {
        this.#deps.logger?.warn({ err: error, taskId: config.taskId }, 'push delivery gave up')
        return
      }
      const waitMs = this.#options.initialBackoffMs * 2 ** (delivery.attempt - 1)
      const cancel = this.#deps.timers.setTimeout(() => {
        this.#timers.delete(cancel)
        this.#enqueue({ ...delivery, attempt: delivery.attempt + 1 })
      }, waitMs)
      this.#timers.add(cancel)
    }
  }
}
