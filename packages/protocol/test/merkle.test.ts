import { describe, expect, it } from 'vitest'
import {
  auditEntryBytes,
  leafHash,
  nodeHash,
  utf8,
  verifyConsistency,
  verifyInclusion,
} from '../src/index.js'

// A tree of three leaves: root = H(H(a, b), c).
const [a, b, c] = ['a', 'b', 'c'].map((text) => leafHash(utf8(text))) as [
  Uint8Array,
  Uint8Array,
  Uint8Array,
]
const ab = nodeHash(a, b)
const root = nodeHash(ab, c)

describe('merkle proofs (browser-safe)', () => {
  it('verifies an inclusion proof and rejects a wrong leaf, index or root', () => {
    expect(verifyInclusion(b, 1, 3, [a, c], root)).toBe(true)
    expect(verifyInclusion(c, 2, 3, [ab], root)).toBe(true)
    expect(verifyInclusion(a, 1, 3, [a, c], root)).toBe(false)
    expect(verifyInclusion(b, 0, 3, [a, c], root)).toBe(false)
    expect(verifyInclusion(b, 1, 3, [a, c], ab)).toBe(false)
  })

  it('verifies a consistency proof from two leaves to three', () => {
    expect(verifyConsistency(2, 3, ab, root, [c])).toBe(true)
    expect(verifyConsistency(2, 3, ab, root, [a])).toBe(false)
  })

  it('hashes an audit entry as the canonical JSON of its seven fields only', () => {
    const entry = {
      seq: 1,
      time: '2025-01-01T00:00:00.000Z',
      actor: 'did:key:z6Mk',
      action: 'auth.login',
      resource: 'principal:x',
      result: 'ok' as const,
      details: { b: 1, a: 2 },
    }
    const withExtras = { ...entry, hash: 'ff', leafHash: 'ee' }
    expect(new TextDecoder().decode(auditEntryBytes(withExtras))).toBe(
      '{"action":"auth.login","actor":"did:key:z6Mk","details":{"a":2,"b":1},"resource":"principal:x","result":"ok","seq":1,"time":"2025-01-01T00:00:00.000Z"}',
    )
  })
})
