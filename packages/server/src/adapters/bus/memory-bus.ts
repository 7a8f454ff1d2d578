import type { Bus, BusMessage } from '../../core/ports/bus.js'

/**
 * The in-process bus of an embedded node. Delivery is asynchronous (a microtask later), so a
 * publisher never runs subscriber code inside its own call; a throwing handler does not stop the
 * others.
 */
export class MemoryBus implements Bus {
  readonly #handlers = new Map<string, Set<(message: BusMessage) => void>>()
  readonly #onHandlerError: (error: unknown, topic: string) => void

  constructor(onHandlerError: (error: unknown, topic: string) => void = () => {}) {
    this.#onHandlerError = onHandlerError
  }

  publish(topic: string, body: unknown): Promise<void> {
    const handlers = this.#handlers.get(topic)
    if (!handlers || handlers.size === 0) return Promise.resolve()
    const message = { topic, body }
    for (const handler of [...handlers]) {
      queueMicrotask(() => {
        if (!this.#handlers.get(topic)?.has(handler)) return // unsubscribed or stopped since
        try {
          handler(message)
        } catch (error) {
          this.#onHandlerError(error, topic)
        }
      })
    }
    return Promise.resolve()
  }

  subscribe(topic: string, handler: (message: BusMessage) => void): () => void {
    let handlers = this.#handlers.get(topic)
    if (!handlers) this.#handlers.set(topic, (handlers = new Set()))
    handlers.add(handler)
    return () => {
      handlers.delete(handler)
      if (handlers.size === 0) this.#handlers.delete(topic)
    }
  }

  stop(): Promise<void> {
    this.#handlers.clear()
    return Promise.resolve()
  }
}
