/** The value a label takes once it has had its share of distinct values. */
export const OTHER = 'other'

/**
 * Caps the distinct values of each label. Capabilities, currencies and routes come from users, so
 * without a cap anyone could grow the node's series without bound; past the cap, new values are
 * counted as `other`.
 */
export class LabelLimit {
  readonly #max: number
  readonly #seen = new Map<string, Set<string>>()

  constructor(maxValuesPerLabel: number) {
    this.#max = maxValuesPerLabel
  }

  /** `value`, if it is known or there is room for it; `other` otherwise. */
  value(label: string, value: string): string {
    let seen = this.#seen.get(label)
    if (!seen) this.#seen.set(label, (seen = new Set()))
    if (seen.has(value)) return value
    if (seen.size >= this.#max) return OTHER
    seen.add(value)
    return value
  }
}
