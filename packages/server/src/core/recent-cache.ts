/**
 * Values kept for at most `ttlMs` after they were read, by the caller's clock: what a hot path
 * may reuse instead of asking the store again. A clock that went back makes an entry stale too.
 * Past `maxEntries` it starts afresh rather than track which entry is oldest.
 */
export class RecentCache<K, V> {
  readonly #entries = new Map<K, { value: V; atMs: number }>()
  readonly #ttlMs: number
  readonly #maxEntries: number

  constructor(ttlMs: number, maxEntries: number) {
    this.#ttlMs = ttlMs
    this.#maxEntries = maxEntries
  }

  /** The value kept for `key`, if it was read less than `ttlMs` before `nowMs`. */
  get(key: K, nowMs: number): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry || nowMs < entry.atMs || nowMs - entry.atMs >= this.#ttlMs) return undefined
    return entry.value
  }

  set(key: K, value: V, nowMs: number): void {
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(key)) this.#entries.clear()
    this.#entries.set(key, { value, atMs: nowMs })
  }

  delete(key: K): void {
    this.#entries.delete(key)
  }

  /** Drops every entry whose value `matches`. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }
}
