import {
  EMPTY_ROOT,
  fromHex,
  leafHash,
  toHex,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '@agentmesh/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MerkleFrontier, rootOf } from '../../../src/core/audit/merkle.js'
import { TreeReader } from '../../../src/core/audit/tree-reader.js'
import { consistencyProof, inclusionProof } from '../../helpers/audit-reference.js'

// The Certificate Transparency reference leaves and roots (RFC 6962 test data; RFC 9162 hashes alike).
const DATA = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
]
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
]
const LEAVES = DATA.map((d) => leafHash(fromHex(d)))

const leavesOf = (n: number): Hash[] =>
  Array.from({ length: n }, (_, i) => leafHash(new Uint8Array([i & 0xff, i >> 8, 7])))

/** Every variant of `hashes` with exactly one byte changed. */
function* oneByteChanges(hashes: readonly Hash[]): Generator<Hash[]> {
  for (let h = 0; h < hashes.length; h++) {
    for (let b = 0; b < (hashes[h] as Hash).length; b++) {
      const changed = hashes.map((x) => x.slice())
      const target = changed[h]!
      target[b] = target[b]! ^ 0x01
      yield changed
    }
  }
}

const flip = (hash: Hash, at: number): Hash => {
  const copy = hash.slice()
  const i = at % copy.length
  copy[i] = copy[i]! ^ 0x80
  return copy
}

describe('Merkle tree after RFC 9162', () => {
  it('matches the reference roots for every size 0..8', () => {
    expect(toHex(EMPTY_ROOT)).toBe(ROOTS[0])
    for (let n = 0; n <= 8; n++) expect(toHex(rootOf(LEAVES.slice(0, n)))).toBe(ROOTS[n])
  })

  it('matches the reference inclusion and consistency proofs', () => {
    expect(inclusionProof(0, LEAVES).map(toHex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ])
    expect(inclusionProof(5, LEAVES).map(toHex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ])
    expect(consistencyProof(2, LEAVES.slice(0, 5)).map(toHex)).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ])
  })

  it('every inclusion proof verifies, and fails after any changed byte of proof, leaf or root', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 300 })
          .chain((size) =>
            fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }), fc.nat()),
          ),
        ([size, index, at]) => {
          const leaves = leavesOf(size)
          const root = rootOf(leaves)
          const leaf = leaves[index] as Hash
          const path = inclusionProof(index, leaves)
          expect(verifyInclusion(leaf, index, size, path, root)).toBe(true)
          for (const changed of oneByteChanges(path)) {
            expect(verifyInclusion(leaf, index, size, changed, root)).toBe(false)
          }
          expect(verifyInclusion(flip(leaf, at), index, size, path, root)).toBe(false)
          expect(verifyInclusion(leaf, index, size, path, flip(root, at))).toBe(false)
          // Nor does it prove another position, or with a shorter proof.
          if (size > 1) {
            expect(verifyInclusion(leaf, (index + 1) % size, size, path, root)).toBe(false)
            expect(verifyInclusion(leaf, index, size, path.slice(1), root)).toBe(false)
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('every consistency proof verifies, and fails after any changed byte of proof or roots', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 300 })
          .chain((to) => fc.tuple(fc.integer({ min: 1, max: to }), fc.constant(to), fc.nat())),
        ([from, to, at]) => {
          const leaves = leavesOf(to)
          const oldRoot = rootOf(leaves.slice(0, from))
          const newRoot = rootOf(leaves)
          const path = consistencyProof(from, leaves)
          expect(verifyConsistency(from, to, oldRoot, newRoot, path)).toBe(true)
          for (const changed of oneByteChanges(path)) {
            expect(verifyConsistency(from, to, oldRoot, newRoot, changed)).toBe(false)
          }
          expect(verifyConsistency(from, to, flip(oldRoot, at), newRoot, path)).toBe(false)
          expect(verifyConsistency(from, to, oldRoot, flip(newRoot, at), path)).toBe(false)
          if (from < to) {
            expect(verifyConsistency(from, to, oldRoot, newRoot, path.slice(1))).toBe(false)
            expect(verifyConsistency(from, to, oldRoot, newRoot, [])).toBe(false)
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('checks the trivial consistency cases', () => {
    const leaves = leavesOf(5)
    expect(verifyConsistency(0, 5, EMPTY_ROOT, rootOf(leaves), [])).toBe(true)
    expect(verifyConsistency(5, 5, rootOf(leaves), rootOf(leaves), [])).toBe(true)
    expect(verifyConsistency(6, 5, rootOf(leaves), rootOf(leaves), [])).toBe(false)
  })

  it('the frontier and the chunked tree reader agree with the recursive root and proofs', async () => {
    const leaves = leavesOf(1100)
    const frontier = new MerkleFrontier()
    let reads = 0
    const reader = new TreeReader(
      (start, end) => {
        reads += 1
        expect(end - start).toBeLessThanOrEqual(16)
        return Promise.resolve(leaves.slice(start, end))
      },
      { chunkLeaves: 16, cacheEntries: 1000 },
    )
    for (const n of [1, 2, 3, 16, 17, 255, 1024, 1100]) {
      while (frontier.size < n) frontier.push(leaves[frontier.size] as Hash)
      const expected = rootOf(leaves.slice(0, n))
      expect(toHex(frontier.root())).toBe(toHex(expected))
      expect(toHex(await reader.root(n))).toBe(toHex(expected))
      const index = Math.floor(n / 3)
      expect((await reader.inclusionProof(index, n)).map(toHex)).toEqual(
        inclusionProof(index, leaves.slice(0, n)).map(toHex),
      )
      expect((await reader.consistencyProof(index + 1, n)).map(toHex)).toEqual(
        consistencyProof(index + 1, leaves.slice(0, n)).map(toHex),
      )
    }
    // Perfect subtrees are cached: a second root of the whole tree reads nothing new.
    const before = reads
    await reader.root(1100)
    expect(reads).toBe(before)
  })
})
