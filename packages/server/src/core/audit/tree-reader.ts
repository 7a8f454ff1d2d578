import { MeshError, nodeHash, type Hash } from '@agentmesh/protocol'
import {
  consistencyRanges,
  foldSubtrees,
  inclusionRanges,
  perfectSubtrees,
  rootOf,
  type LeafRange,
} from './merkle.js'

/** Reads the leaf hashes of leaves `[start, end)` (at most a chunk at a time). */
export type LeafReader = (start: number, end: number) => Promise<Hash[]>

export interface TreeReaderOptions {
  /** Leaves read in one query; perfect subtrees up to this size are hashed from their leaves. */
  chunkLeaves: number
  /** Cached perfect-subtree hashes kept at most; the oldest go first. */
  cacheEntries: number
}

/**
 * Computes roots and proofs over a log too large to hold in memory. Every hash it needs is a
 * perfect, aligned subtree; those never change once their leaves exist, so they are cached across
 * calls (and across nodes sharing a database, since the log is append-only). Leaves are read in
 * bounded chunks.
 */
export class TreeReader {
  readonly #read: LeafReader
  readonly #options: TreeReaderOptions
  readonly #cache = new Map<string, Hash>()

  constructor(read: LeafReader, options: TreeReaderOptions) {
    if ((options.chunkLeaves & (options.chunkLeaves - 1)) !== 0 || options.chunkLeaves < 1) {
      throw new RangeError('chunkLeaves must be a power of two')
    }
    this.#read = read
    this.#options = options
  }

  /** MTH(D[start:end]) for a range met in the RFC's recursion (the whole tree included). */
  async rangeHash(start: number, end: number): Promise<Hash> {
    const parts: Hash[] = []
    for (const [s, e] of perfectSubtrees(start, end)) parts.push(await this.#perfect(s, e - s))
    return foldSubtrees(parts)
  }

  /** The root of the first `size` leaves. */
  root(size: number): Promise<Hash> {
    return this.rangeHash(0, size)
  }

  /** The audit path of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number): Promise<Hash[]> {
    return this.#hashes(inclusionRanges(index, size))
  }

  /** The consistency proof from the tree of `from` leaves to the tree of `to` leaves. */
  consistencyProof(from: number, to: number): Promise<Hash[]> {
    return this.#hashes(consistencyRanges(from, to))
  }

  async #hashes(ranges: LeafRange[]): Promise<Hash[]> {
    const hashes: Hash[] = []
    for (const [s, e] of ranges) hashes.push(await this.rangeHash(s, e))
    return hashes
  }

  async #perfect(start: number, size: number): Promise<Hash> {
    const key = `${start}:${size}`
    const cached = this.#cache.get(key)
    if (cached) return cached
    let hash: Hash
    if (size <= this.#options.chunkLeaves) {
      const leaves = await this.#read(start, start + size)
      if (leaves.length !== size) {
        throw new MeshError(
          'INTERNAL',
          `Audit leaves ${start}..${start + size} are missing: read ${leaves.length}`,
        )
      }
      hash = rootOf(leaves)
    } else {
      const half = size / 2
      hash = nodeHash(await this.#perfect(start, half), await this.#perfect(start + half, half))
    }
    if (size > 1) this.#remember(key, hash)
    return hash
  }

  #remember(key: string, hash: Hash): void {
    if (this.#cache.size >= this.#options.cacheEntries) {
      const oldest = this.#cache.keys().next()
      if (!oldest.done) this.#cache.delete(oldest.value)
    }
    this.#cache.set(key, hash)
  }
}
