import { describe, expect, it } from 'vitest'
import type { VectorIndex } from '../../../src/core/ports/vector-index.js'

const DIMENSIONS = 8

/** A unit vector from a few components; the rest are zero. */
function unit(...components: number[]): Float32Array {
  const vector = new Float32Array(DIMENSIONS)
  vector.set(components)
  const length = Math.hypot(...vector)
  return vector.map((x) => x / length)
}

/** A deterministic pseudo-random unit vector (mulberry32), so every run indexes the same ones. */
function randomUnit(seed: number): Float32Array {
  let a = seed
  const next = () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5
  }
  return unit(...Array.from({ length: DIMENSIONS }, next))
}

/** One promise of the port, checked on a fresh index. */
export interface VectorIndexCheck {
  name: string
  run(index: VectorIndex): void
}

export const vectorIndexChecks: VectorIndexCheck[] = [
  {
    name: 'answers the nearest keys first, with their cosine similarity',
    run(index) {
      index.add([
        { key: 1, vector: unit(1, 0) },
        { key: 2, vector: unit(1, 1) },
        { key: 3, vector: unit(0, 1) },
        { key: 4, vector: unit(-1, 0) },
      ])
      expect(index.size).toBe(4)
      const found = index.search(unit(1, 0.1), 3)
      expect(found.map((n) => n.key)).toEqual([1, 2, 3])
      expect(found[0]!.similarity).toBeCloseTo(1 / Math.hypot(1, 0.1), 5)
      expect(found[2]!.similarity).toBeCloseTo(0.1 / Math.hypot(1, 0.1), 5)
      expect(index.search(unit(-1, 0), 1)).toEqual([{ key: 4, similarity: expect.closeTo(1, 5) }])
    },
  },
  {
    name: 'replaces a key added again and forgets removed keys',
    run(index) {
      index.add([
        { key: 7, vector: unit(1, 0) },
        { key: 8, vector: unit(1, 1) },
      ])
      index.add([{ key: 7, vector: unit(0, 0, 1) }])
      expect(index.size).toBe(2)
      expect(index.search(unit(1, 0), 1).map((n) => n.key)).toEqual([8])
      expect(index.search(unit(0, 0, 1), 1).map((n) => n.key)).toEqual([7])
      index.remove([7, 99])
      expect(index.size).toBe(1)
      expect(index.search(unit(0, 0, 1), 5).map((n) => n.key)).toEqual([8])
    },
  },
  {
    name: 'answers at most what it holds, and nothing when empty',
    run(index) {
      expect(index.search(unit(1), 3)).toEqual([])
      index.add([{ key: 1, vector: unit(1) }])
      expect(index.search(unit(1), 3).map((n) => n.key)).toEqual([1])
      index.add([])
      index.remove([])
      expect(index.size).toBe(1)
    },
  },
  {
    name: 'finds each of 2,000 vectors as its own nearest neighbour (HNSW may miss a rare one)',
    run(index) {
      const vectors = Array.from({ length: 2000 }, (_, i) => randomUnit(i + 1))
      index.add(vectors.map((vector, key) => ({ key, vector })))
      let found = 0
      for (let key = 0; key < vectors.length; key += 20) {
        if (index.search(vectors[key]!, 1)[0]?.key === key) found++
      }
      expect(found).toBeGreaterThanOrEqual(98)
    },
  },
]

/** What every VectorIndex promises; run once per implementation. */
export function vectorIndexContract(name: string, make: (dimensions: number) => VectorIndex): void {
  describe(`VectorIndex contract: ${name}`, () => {
    for (const check of vectorIndexChecks) {
      it(check.name, () => {
        const index = make(DIMENSIONS)
        try {
          check.run(index)
        } finally {
          index.close()
        }
      })
    }
  })
}
