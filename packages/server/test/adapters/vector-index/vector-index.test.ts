import { describe, expect, it } from 'vitest'
import { ExactVectorIndex } from '../../../src/adapters/vector-index/exact-vector-index.js'
import { UsearchVectorIndex } from '../../../src/adapters/vector-index/usearch-vector-index.js'
import type { Neighbour, VectorIndex } from '../../../src/core/ports/vector-index.js'
import { vectorIndexChecks, vectorIndexContract } from './vector-index-contract.js'

vectorIndexContract('exact', () => new ExactVectorIndex())
vectorIndexContract('USearch HNSW', (dimensions) => new UsearchVectorIndex(dimensions))

type Flaw = 'farthest-first' | 'keeps-the-first-add' | 'ignores-remove'

/** The exact index with one deliberate flaw. */
class FlawedVectorIndex implements VectorIndex {
  readonly #exact = new ExactVectorIndex()
  constructor(readonly flaw: Flaw) {}
  get size() {
    return this.#exact.size
  }
  add(entries: { key: number; vector: Float32Array }[]) {
    const held = new Set(this.#exact.search(new Float32Array(8), Infinity).map((n) => n.key))
    this.#exact.add(
      this.flaw === 'keeps-the-first-add' ? entries.filter((e) => !held.has(e.key)) : entries,
    )
  }
  remove(keys: number[]) {
    if (this.flaw !== 'ignores-remove') this.#exact.remove(keys)
  }
  search(vector: Float32Array, k: number): Neighbour[] {
    if (this.flaw !== 'farthest-first') return this.#exact.search(vector, k)
    return this.#exact.search(vector, Infinity).reverse().slice(0, k)
  }
  close() {
    this.#exact.close()
  }
}

describe('the VectorIndex contract catches broken implementations', () => {
  const cases: [Flaw, string, string][] = [
    ['farthest-first', 'answers the farthest first', 'answers the nearest keys first'],
    ['keeps-the-first-add', 'keeps the first vector of a key', 'replaces a key added again'],
    ['ignores-remove', 'ignores removals', 'replaces a key added again'],
  ]
  for (const [flaw, what, check] of cases) {
    it(`fails an index that ${what}`, () => {
      const found = vectorIndexChecks.find((c) => c.name.startsWith(check))!
      expect(() => found.run(new FlawedVectorIndex(flaw))).toThrow()
    })
  }
})
