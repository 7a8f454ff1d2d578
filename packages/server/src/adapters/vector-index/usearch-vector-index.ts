import { createRequire } from 'node:module'
import type * as USearchModule from 'usearch'
import type { Neighbour, VectorIndex } from '../../core/ports/vector-index.js'

type USearch = typeof USearchModule
type NativeIndex = USearchModule.Index

/** HNSW's knobs: links per node, and the candidates kept while inserting and while searching. */
export interface HnswOptions {
  connectivity: number
  expansionAdd: number
  expansionSearch: number
}

export const DEFAULT_HNSW_OPTIONS: HnswOptions = {
  connectivity: 16,
  expansionAdd: 64,
  expansionSearch: 64,
}

/**
 * The vector index on USearch: an HNSW graph in native memory (cosine metric, float32), O(log n)
 * per search. The package ships prebuilt binaries and loads the one for this platform when the
 * first index is made (its CommonJS build, which finds the binary beside itself); nothing is
 * compiled or downloaded.
 */
export class UsearchVectorIndex implements VectorIndex {
  #index: NativeIndex | undefined
  readonly #dimensions: number

  constructor(dimensions: number, options: HnswOptions = DEFAULT_HNSW_OPTIONS) {
    const { Index, MetricKind, ScalarKind } = createRequire(import.meta.url)('usearch') as USearch
    this.#dimensions = dimensions
    this.#index = new Index({
      dimensions,
      metric: MetricKind.Cos,
      quantization: ScalarKind.F32,
      connectivity: options.connectivity,
      expansion_add: options.expansionAdd,
      expansion_search: options.expansionSearch,
      multi: false,
    })
  }

  get size(): number {
    return this.#index?.size() ?? 0
  }

  add(entries: { key: number; vector: Float32Array }[]): void {
    const index = this.#open()
    if (entries.length === 0) return
    const keys = new BigUint64Array(entries.map((e) => BigInt(e.key)))
    const present = index.contains(keys) as boolean[]
    const replaced = keys.filter((_, i) => present[i])
    if (replaced.length > 0) index.remove(replaced)
    const matrix = new Float32Array(entries.length * this.#dimensions)
    for (const [i, { vector }] of entries.entries()) matrix.set(vector, i * this.#dimensions)
    index.add(keys, matrix)
  }

  remove(keys: number[]): void {
    if (keys.length > 0) this.#open().remove(new BigUint64Array(keys.map((k) => BigInt(k))))
  }

  search(vector: Float32Array, k: number): Neighbour[] {
    const index = this.#open()
    if (index.size() === 0 || k < 1) return []
    const found = index.search(vector, Math.min(k, index.size()), 1)
    const neighbours: Neighbour[] = []
    for (let i = 0; i < found.keys.length; i++) {
      // Fewer matches than asked come back padded with the largest key.
      if (found.keys[i] === 0xffffffffffffffffn) continue
      neighbours.push({ key: Number(found.keys[i]), similarity: 1 - found.distances[i]! })
    }
    return neighbours
  }

  close(): void {
    this.#index = undefined
  }

  #open(): NativeIndex {
    if (!this.#index) throw new Error('The vector index is closed')
    return this.#index
  }
}
