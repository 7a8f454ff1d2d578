import type { Bus, BusMessage } from '../../../src/core/ports/bus.js'

/** The ways a bus can break its port, one per deliberately broken bus. */
export type BusFlaw =
  | 'delivers-after-unsubscribe'
  | 'ignores-unsubscribe'
  | 'delivers-synchronously'
  | 'matches-prefixes'
  | 'reorders'
  | 'stops-at-a-throw'
  | 'keeps-subscriptions-after-stop'

type Handler = (message: BusMessage) => void

/**
 * An in-process bus with one flaw, for showing that the contract catches it. Without a flaw it
 * behaves as the port promises.
 */
export class FlawedBus implements Bus {
  readonly #subscriptions = new Set<{ topic: string; handler: Handler }>()
  readonly #flaw: BusFlaw | undefined
  #published = 0

  constructor(flaw?: BusFlaw) {
    this.#flaw = flaw
  }

  publish(topic: string, body: unknown): Promise<void> {
    const message = { topic, body }
    const n = this.#published++
    const targets = [...this.#subscriptions].filter((s) =>
      this.#flaw === 'matches-prefixes' ? topic.startsWith(s.topic) : s.topic === topic,
    )
    const deliver = () => {
      for (const s of targets) {
        // Keeping the subscription's identity checks unsubscribe at delivery time.
        const live = this.#subscriptions.has(s) || this.#flaw === 'delivers-after-unsubscribe'
        if (!live && this.#flaw !== 'ignores-unsubscribe') continue
        try {
          s.handler(message)
        } catch {
          if (this.#flaw === 'stops-at-a-throw') return
        }
      }
    }
    if (this.#flaw === 'delivers-synchronously') deliver()
    else if (this.#flaw === 'reorders' && n % 2 === 1) setImmediate(deliver)
    else queueMicrotask(deliver)
    return Promise.resolve()
  }

  subscribe(topic: string, handler: Handler): () => void {
    const subscription = { topic, handler }
    this.#subscriptions.add(subscription)
    return () => {
      if (this.#flaw !== 'ignores-unsubscribe') this.#subscriptions.delete(subscription)
    }
  }

  stop(): Promise<void> {
    if (this.#flaw !== 'keeps-subscriptions-after-stop') this.#subscriptions.clear()
    return Promise.resolve()
  }
}
