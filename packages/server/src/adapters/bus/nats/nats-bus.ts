import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { Bus, BusMessage } from '../../../core/ports/bus.js'

const TOPIC = /^[A-Za-z0-9_:=-]+(\.[A-Za-z0-9_:=-]+)*$/

/**
 * The bus of a cluster: every topic is a NATS subject under `PREFIX.bus.`, so a message one node
 * publishes reaches the subscribers of every node (registry changes, task events, cache drops).
 * One NATS subscription per topic serves all of this node's handlers; NATS keeps one connection's
 * messages on one subject in order. Delivery is at most once: what must not be lost travels
 * elsewhere (JetStream, the store).
 */
export class NatsBus implements Bus {
  readonly #nc: NatsConnection
  readonly #prefix: string
  readonly #onHandlerError: (error: unknown, topic: string) => void
  readonly #topics = new Map<
    string,
    { sub: Subscription; handlers: Set<(m: BusMessage) => void> }
  >()

  constructor(
    nc: NatsConnection,
    prefix: string,
    onHandlerError: (error: unknown, topic: string) => void = () => {},
  ) {
    this.#nc = nc
    this.#prefix = `${prefix}.bus.`
    this.#onHandlerError = onHandlerError
  }

  publish(topic: string, body: unknown): Promise<void> {
    try {
      this.#nc.publish(this.#prefix + checked(topic), JSON.stringify(body))
      return Promise.resolve()
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
  }

  subscribe(topic: string, handler: (message: BusMessage) => void): () => void {
    let entry = this.#topics.get(topic)
    if (!entry) {
      const handlers = new Set<(m: BusMessage) => void>()
      const sub = this.#nc.subscribe(this.#prefix + checked(topic), {
        callback: (error, msg) => {
          if (error) return
          let body: unknown
          try {
            body = msg.json()
          } catch {
            return // not ours: every body this bus sends is JSON
          }
          this.#deliver(topic, handlers, { topic, body })
        },
      })
      entry = { sub, handlers }
      this.#topics.set(topic, entry)
    }
    const current = entry
    current.handlers.add(handler)
    return () => {
      if (!current.handlers.delete(handler) || current.handlers.size > 0) return
      if (this.#topics.get(topic) === current) this.#topics.delete(topic)
      current.sub.unsubscribe()
    }
  }

  stop(): Promise<void> {
    for (const { sub, handlers } of this.#topics.values()) {
      handlers.clear()
      sub.unsubscribe()
    }
    this.#topics.clear()
    return Promise.resolve()
  }

  #deliver(topic: string, handlers: Set<(m: BusMessage) => void>, message: BusMessage): void {
    for (const handler of [...handlers]) {
      if (!handlers.has(handler)) continue // unsubscribed by an earlier handler
      try {
        handler(message)
      } catch (error) {
        this.#onHandlerError(error, topic)
      }
    }
  }
}

function checked(topic: string): string {
  if (!TOPIC.test(topic)) throw new Error(`Bus topic "${topic}" is not dotted words`)
  return topic
}
