/**
 * The keys of recent messages, up to `max` (the oldest forgotten first): the idempotent inbox
 * that keeps a redelivered message from being handled twice.
 */
export class RecentKeys {
  readonly #keys = new Set<string>()
  readonly #max: number

  constructor(max: number) {
    this.#max = max
  }

  has(key: string): boolean {
    return this.#keys.has(key)
  }

  add(key: string): void {
    this.#keys.add(key)
    if (this.#keys.size > this.#max) {
      const oldest = this.#keys.values().next().value
      if (oldest !== undefined) this.#keys.delete(oldest)
    }
  }
}
