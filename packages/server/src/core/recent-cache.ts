/**
 * Values kept for at most `ttlMs` after they were read, by the caller's clock: what a hot path
 * may reuse instead of asking the store again. A clock that went back makes an entry stale too.
 * Past `maxEntries` it starts afresh rather than track which entry is oldest.
 *
 * A read that overlaps a drop must not bring the dropped value back: take `generation` before
 * reading the store and hand it to `set`, which keeps nothing when anything was dropped since.
 */
export class RecentCache<K, V> {
  readonly #entries = new Map<K, { value: V; atMs: number }>()
  readonly #ttlMs: number
  readonly #maxEntries: number
  #drops = 0

  constructor(ttlMs: number, maxEntries: number) {
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
  }

  /** Counts the drops (`delete`, `deleteWhere`, `clear`) so far. */
  get generation(): number {
    return this.#drops
  }

  /** The value kept for `key`, if it was read less than `ttlMs` before `nowMs`. */
  get(key: K, nowMs: number): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry || nowMs < entry.atMs || nowMs - entry.atMs >= this.#ttlMs) return undefined
    return entry.value
  }

  /** Keeps `value`, unless `readAt` (a `generation`) says a drop came while it was being read. */
  set(key: K, value: V, nowMs: number, readAt = this.#drops): void {
    if (readAt !== this.#drops || this.#ttlMs <= 0) return
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(key)) this.#entries.clear()
    this.#entries.set(key, { value, atMs: nowMs })
  }

  delete(key: K): void {
    this.#drops++
    this.#entries.delete(key)
  }

  /** Drops every entry whose value `matches`. */
  deleteWhere(matches: (value: V) => boolean): void {
    this.#drops++
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key)
  }

  clear(): void {
    this.#drops++
    this.#entries.clear()
  }
}
