import type { Clock } from '../../core/ports/clock.js'
import type { WorkDelivery, WorkQueue } from '../../core/ports/work-queue.js'

interface Message<T> {
  id: string
  payload: T
  deliveries: number
  /** When it may be delivered (again), epoch ms. */
  dueAtMs: number
  /** Bumped at each delivery, so a late settle of an earlier delivery is ignored. */
  lease: number
}

/** A work queue in this process's memory: what it holds is lost with the process. */
export class MemoryWorkQueue<T> implements WorkQueue<T> {
  readonly #clock: Clock
  readonly #visibilityTimeoutMs: number
  readonly #messages = new Map<string, Message<T>>()

  constructor(clock: Clock, options: { visibilityTimeoutMs: number }) {
    this.#clock = clock
    this.#visibilityTimeoutMs = options.visibilityTimeoutMs
  }

  enqueue(id: string, payload: T): Promise<boolean> {
    if (this.#messages.has(id)) return Promise.resolve(false)
    this.#messages.set(id, { id, payload, deliveries: 0, dueAtMs: this.#clock.now(), lease: 0 })
    return Promise.resolve(true)
  }

  receive(max: number): Promise<WorkDelivery<T>[]> {
    const now = this.#clock.now()
    const due = [...this.#messages.values()].filter((m) => m.dueAtMs <= now).slice(0, max)
    return Promise.resolve(due.map((message) => this.#deliver(message, now)))
  }

  #deliver(message: Message<T>, now: number): WorkDelivery<T> {
    message.deliveries++
    const lease = ++message.lease
    message.dueAtMs = now + this.#visibilityTimeoutMs
    const current = () => this.#messages.get(message.id) === message && message.lease === lease
    return {
      id: message.id,
      payload: message.payload,
      deliveries: message.deliveries,
      ack: () => {
        if (current()) this.#messages.delete(message.id)
      },
      nak: (delayMs = 0) => {
        if (current()) {
          message.lease++
          message.dueAtMs = this.#clock.now() + delayMs
        }
      },
    }
  }
}
