import type { Bus } from '../../core/ports/bus.js'
import type { Clock } from '../../core/ports/clock.js'

/** The bus topic of rate-limit counts: `{node, window, counts: {key: count}}`. */
const RATE_COUNTS = 'ratelimit.counts'
/** Most keys one message carries; more go in several. */
const KEYS_PER_MESSAGE = 500
const MAX_KEY_LENGTH = 256

/** What one node tells the others: its own count per key in the window numbered `window`. */
interface CountsMessage {
  node: string
  window: number
  counts: Record<string, number>
}

/** One window's counts: this node's, the others' (key → node → count), the keys to publish. */
interface WindowCounts {
  index: number
  local: Map<string, number>
  remote: Map<string, Map<string, number>>
  changed: Set<string>
}

/**
 * Rate-limit counts shared by the nodes of a cluster, so a limit holds across all of them and a
 * client talking to one node still gets all of it. Windows are fixed and aligned to the clock
 * (window n covers [n × windowMs, (n + 1) × windowMs)), so every node counts in the same one.
 * Each node counts what it admits per key and, every `syncMs` (`flush`), publishes the counts that
 * changed; a request's count is this node's plus the latest count each other node reported. What
 * other nodes admitted within their last `syncMs` (and the message's transit) is not seen yet: a
 * client spreading requests over nodes gets that much past the limit at most. A node that stops
 * keeps counting for the rest of the window in the others' sums; the bus delivers at most once, so
 * a lost message lets through what it counted.
 */
export class SharedRateCounts {
  readonly #bus: Bus
  readonly #clock: Clock
  readonly #nodeId: string
  readonly #windowMs: number
  readonly #maxKeys: number
  #current: WindowCounts = { index: -1, local: new Map(), remote: new Map(), changed: new Set() }
  #unsubscribe: (() => void) | undefined

  constructor(
    deps: { bus: Bus; clock: Clock; nodeId: string },
    options: { windowMs: number; maxKeys?: number },
  ) {
    this.#bus = deps.bus
    this.#clock = deps.clock
    this.#nodeId = deps.nodeId
    this.#windowMs = options.windowMs
    this.#maxKeys = options.maxKeys ?? 10_000
  }

  /** Starts hearing the other nodes' counts. */
  start(): void {
    this.#unsubscribe ??= this.#bus.subscribe(RATE_COUNTS, ({ body }) => this.#heard(body))
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
  }

  /** Counts one request for `key`: the cluster's count so far and the ms left in the window. */
  incr(key: string): { current: number; ttl: number } {
    const now = this.#clock.now()
    const window = this.#window(now)
    const local = (window.local.get(key) ?? 0) + 1
    if (!window.local.has(key) && window.local.size >= this.#maxKeys) {
      // Full: the key counted longest ago goes (as a least-recently-used cache would).
      const oldest = window.local.keys().next()
      if (!oldest.done) window.local.delete(oldest.value)
    }
    window.local.delete(key) // re-inserted last: the order is of last use
    window.local.set(key, local)
    window.changed.add(key)
    let current = local
    for (const count of window.remote.get(key)?.values() ?? []) current += count
    return { current, ttl: (window.index + 1) * this.#windowMs - now }
  }

  /** Publishes this node's counts that changed since the last flush. */
  async flush(): Promise<void> {
    const window = this.#window(this.#clock.now())
    if (window.changed.size === 0) return
    const keys = [...window.changed]
    window.changed.clear()
    for (let start = 0; start < keys.length; start += KEYS_PER_MESSAGE) {
      const counts: Record<string, number> = {}
      for (const key of keys.slice(start, start + KEYS_PER_MESSAGE)) {
        const count = window.local.get(key)
        if (count !== undefined) counts[key] = count
      }
      const message: CountsMessage = { node: this.#nodeId, window: window.index, counts }
      await this.#bus.publish(RATE_COUNTS, message)
    }
  }

  /** The counts of the window `nowMs` falls in (a new window starts from nothing). */
  #window(nowMs: number): WindowCounts {
    const index = Math.floor(nowMs / this.#windowMs)
    if (index !== this.#current.index) {
      this.#current = { index, local: new Map(), remote: new Map(), changed: new Set() }
    }
    return this.#current
  }

  #heard(body: unknown): void {
    if (!isCountsMessage(body) || body.node === this.#nodeId) return
    const window = this.#window(this.#clock.now())
    if (body.window !== window.index) return // another window: nothing to add to this one
    for (const [key, count] of Object.entries(body.counts)) {
      if (key.length > MAX_KEY_LENGTH || !Number.isSafeInteger(count) || count < 0) continue
      let byNode = window.remote.get(key)
      if (!byNode) {
        if (window.remote.size >= 4 * this.#maxKeys) continue
        window.remote.set(key, (byNode = new Map<string, number>()))
      }
      // Counts only grow within a window: an older message arriving late changes nothing.
      byNode.set(body.node, Math.max(byNode.get(body.node) ?? 0, count))
    }
  }
}

function isCountsMessage(body: unknown): body is CountsMessage {
  if (typeof body !== 'object' || body === null) return false
  const { node, window, counts } = body as Partial<CountsMessage>
  return (
    typeof node === 'string' &&
    typeof window === 'number' &&
    typeof counts === 'object' &&
    counts !== null &&
    !Array.isArray(counts)
  )
}
