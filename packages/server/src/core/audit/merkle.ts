import { EMPTY_ROOT, nodeHash, type Hash } from '@agentmesh/protocol'

/**
 * The Merkle tree of RFC 9162 (Certificate Transparency 2.0), §2.1: leaf `H(0x00‖entry)`, node
 * `H(0x01‖left‖right)`, a tree of n leaves split at the largest power of two smaller than n.
 * Proofs are described as lists of leaf ranges whose subtree hashes make up the proof, so the
 * same code serves an in-memory array of leaves and a store read in bounded chunks. Hashing and
 * proof verification live in protocol (browser-safe), so the dashboard checks proofs with them.
 */
/** A half-open range of leaf indices `[start, end)`. */
export type LeafRange = readonly [start: number, end: number]

/** The largest power of two smaller than `n` (n ≥ 2): where RFC 9162 splits a tree. */
export function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** MTH(D[n]) over leaf hashes. */
export function rootOf(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT
  if (leaves.length === 1) return leaves[0] as Hash
  const k = splitPoint(leaves.length)
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)))
}

/** The ranges whose hashes form PATH(index, D[size]) (RFC 9162 §2.1.3.1), deepest first. */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`Leaf ${index} is not in a tree of size ${size}`)
  }
  const ranges: LeafRange[] = []
  const path = (m: number, start: number, end: number): void => {
    const n = end - start
    if (n <= 1) return
    const k = splitPoint(n)
    if (m < k) {
      path(m, start, start + k)
      ranges.push([start + k, end])
    } else {
      path(m - k, start + k, end)
      ranges.push([start, start + k])
    }
  }
  path(index, 0, size)
  return ranges
}

/** The ranges whose hashes form PROOF(from, D[to]) (RFC 9162 §2.1.4.1); empty when from is 0 or to. */
export function consistencyRanges(from: number, to: number): LeafRange[] {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) {
    throw new RangeError(`No consistency proof from size ${from} to size ${to}`)
  }
  const ranges: LeafRange[] = []
  if (from === 0 || from === to) return ranges
  const subproof = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start
    if (m === n) {
      if (!whole) ranges.push([start, end])
      return
    }
    const k = splitPoint(n)
    if (m <= k) {
      subproof(m, start, start + k, whole)
      ranges.push([start + k, end])
    } else {
      subproof(m - k, start + k, end, false)
      ranges.push([start, start + k])
    }
  }
  subproof(from, 0, to, true)
  return ranges
}

/**
 * Splits a range met in the RFC's recursion into aligned perfect subtrees, largest first: its
 * hash is the right fold `H(p1, H(p2, … pn))` of theirs. Perfect subtrees never change once
 * their leaves exist, which makes them safe to cache.
 */
export function perfectSubtrees(start: number, end: number): LeafRange[] {
  const parts: LeafRange[] = []
  let at = start
  while (at < end) {
    let size = 1
    while (size * 2 <= end - at) size *= 2
    if (at % size !== 0) throw new RangeError(`Range [${start}, ${end}) is not a subtree range`)
    parts.push([at, at + size])
    at += size
  }
  return parts
}

/** Folds the hashes of `perfectSubtrees(start, end)` into the range's hash. */
export function foldSubtrees(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0) return EMPTY_ROOT
  let acc = hashes[hashes.length - 1] as Hash
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Hash, acc)
  return acc
}

/**
 * The right edge of a growing tree: the roots of its perfect subtrees, largest first. Appending
 * is O(log n) and the root of the tree so far is always at hand, so a verifier streams a log of
 * any length in constant memory.
 */
export class MerkleFrontier {
  readonly #stack: { size: number; hash: Hash }[] = []
  #size = 0

  get size(): number {
    return this.#size
  }

  push(leaf: Hash): void {
    let node = { size: 1, hash: leaf }
    for (let top = this.#stack.at(-1); top && top.size === node.size; top = this.#stack.at(-1)) {
      this.#stack.pop()
      node = { size: node.size * 2, hash: nodeHash(top.hash, node.hash) }
    }
    this.#stack.push(node)
    this.#size += 1
  }

  /** MTH of every leaf pushed so far. */
  root(): Hash {
    return foldSubtrees(this.#stack.map((node) => node.hash))
  }
}
