import { canonicalBytes } from './canonical-json.js'
import { sha256 } from './crypto.js'
import type { AuditEntry } from './audit.js'

/**
 * The hashing and proof verification of RFC 9162's Merkle tree (Certificate Transparency 2.0),
 * §2.1: leaf `H(0x00‖entry)`, node `H(0x01‖left‖right)`. Pure and browser-safe, so a node, the
 * CLI and the dashboard check audit proofs with the same code.
 */
export type Hash = Uint8Array

/** The root of the empty tree: the hash of the empty string. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0))

/** The leaf hash of an entry's bytes. */
export function leafHash(entry: Uint8Array): Hash {
  const input = new Uint8Array(entry.length + 1)
  input[0] = 0x00
  input.set(entry, 1)
  return sha256(input)
}

/** The hash of an interior node. */
export function nodeHash(left: Hash, right: Hash): Hash {
  const input = new Uint8Array(1 + left.length + right.length)
  input[0] = 0x01
  input.set(left, 1)
  input.set(right, 1 + left.length)
  return sha256(input)
}

/**
 * The bytes an audit entry is hashed as: the canonical JSON (RFC 8785) of exactly its seven
 * fields `seq, time, actor, action, resource, result, details`, nothing else.
 */
export function auditEntryBytes(entry: Omit<AuditEntry, 'hash' | 'leafHash'>): Uint8Array {
  const { seq, time, actor, action, resource, result, details } = entry
  return canonicalBytes({ seq, time, actor, action, resource, result, details })
}

function equal(a: Hash, b: Hash): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/** Verifies an inclusion proof (RFC 9162 §2.1.3.2). */
export function verifyInclusion(
  leaf: Hash,
  index: number,
  size: number,
  path: readonly Hash[],
  root: Hash,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return false
  }
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of path) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2)
        sn = Math.floor(sn / 2)
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && equal(r, root)
}

/** Verifies a consistency proof between two tree heads (RFC 9162 §2.1.4.2). */
export function verifyConsistency(
  from: number,
  to: number,
  fromRoot: Hash,
  toRoot: Hash,
  path: readonly Hash[],
): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) {
    return false
  }
  if (from === to) return path.length === 0 && equal(fromRoot, toRoot)
  if (from === 0) return path.length === 0 && equal(fromRoot, EMPTY_ROOT)
  if (path.length === 0) return false
  const proof = (from & (from - 1)) === 0 ? [fromRoot, ...path] : [...path]
  let fn = from - 1
  let sn = to - 1
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  let fr = proof[0] as Hash
  let sr = fr
  for (const c of proof.slice(1)) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2)
        sn = Math.floor(sn / 2)
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && equal(fr, fromRoot) && equal(sr, toRoot)
}
