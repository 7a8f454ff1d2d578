import type { Bus } from './ports/bus.js'

/**
 * How the nodes of a cluster keep their caches in step. A node that changed something drops its
 * own cached entries at once and publishes what changed on a bus topic; every node (this one
 * too, harmlessly) drops what it holds of it when the message arrives. The bus delivers at most
 * once, so each cache keeps its short expiry as a safety net: a lost message leaves an entry stale
 * for that long at most. On an embedded node the bus is in-process and the message only repeats
 * the drop.
 */
export class CacheDrops<T> {
  readonly #bus: Bus | undefined
  readonly #topic: string
  readonly #drop: (change: T) => void

  /** `parse` checks a message's body (another node sent it) and answers undefined to ignore it. */
  constructor(
    bus: Bus | undefined,
    topic: string,
    parse: (body: unknown) => T | undefined,
    drop: (change: T) => void,
  ) {
    this.#bus = bus
    this.#topic = topic
    this.#drop = drop
    bus?.subscribe(topic, ({ body }) => {
      const change = parse(body)
      if (change !== undefined) drop(change)
    })
  }

  /** Drops here at once, then tells every node; a publish that fails leaves them to the expiry. */
  async changed(change: T): Promise<void> {
    this.#drop(change)
    await this.#bus?.publish(this.#topic, change).catch(() => {})
  }
}

/** The body's string field `name`, if it has one no longer than `maxLength`. */
export function stringField(body: unknown, name: string, maxLength = 512): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const value = (body as Record<string, unknown>)[name]
  return typeof value === 'string' && value.length <= maxLength ? value : undefined
}
