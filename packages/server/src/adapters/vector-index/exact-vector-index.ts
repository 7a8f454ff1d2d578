import type { Neighbour, VectorIndex } from '../../core/ports/vector-index.js'

/**
 * The exact index: every search compares the query with every vector. No neighbour is ever
 * missed, at O(n) per search; for tests and as the baseline the HNSW index is measured against.
 */
export class ExactVectorIndex implements VectorIndex {
  readonly #vectors = new Map<number, Float32Array>()

  get size(): number {
    return this.#vectors.size
  }

  add(entries: { key: number; vector: Float32Array }[]): void {
    for (const { key, vector } of entries) this.#vectors.set(key, vector)
  }

  remove(keys: number[]): void {
    for (const key of keys) this.#vectors.delete(key)
  }

  search(vector: Float32Array, k: number): Neighbour[] {
    const all: Neighbour[] = []
    for (const [key, stored] of this.#vectors) {
      let similarity = 0
      for (let d = 0; d < vector.length; d++) similarity += vector[d]! * stored[d]!
      all.push({ key, similarity })
    }
    return all.sort((a, b) => b.similarity - a.similarity || a.key - b.key).slice(0, k)
  }

  close(): void {
    this.#vectors.clear()
  }
}
