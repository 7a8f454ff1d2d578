import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalize } from '../src/index.js'

function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffleKeys(v, seed + i))
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    // A deterministic rotation and reversal of the key order.
    const rotated = entries
      .slice(seed % (entries.length || 1))
      .concat(entries.slice(0, seed % (entries.length || 1)))
    if (seed % 2) rotated.reverse()
    return Object.fromEntries(rotated.map(([k, v]) => [k, shuffleKeys(v, seed + 1)]))
  }
  return value
}

describe('canonical JSON (RFC 8785)', () => {
  it('matches the RFC 8785 examples', () => {
    expect(
      canonicalize({
        numbers: [333333333.3333333, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      }),
    ).toBe('{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}')
    expect(
      canonicalize({ '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '1': 'One', '\u00e9': 'e' }),
    ).toBe('{"\\r":"Carriage Return","1":"One","é":"e","€":"Euro Sign"}')
    expect(canonicalize({ literals: [null, true, false] })).toBe('{"literals":[null,true,false]}')
  })

  it('sorts keys by UTF-16 code units', () => {
    expect(canonicalize({ '\ud83d\ude00': 1, '\ufb33': 2 })).toBe('{"\ud83d\ude00":1,"\ufb33":2}')
  })

  it('does not depend on key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(50), (value, seed) => {
        expect(canonicalize(shuffleKeys(value, seed))).toBe(canonicalize(value))
      }),
    )
  })

  it('is stable under a parse and re-serialize round trip', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalize(value)
        expect(canonicalize(JSON.parse(once))).toBe(once)
      }),
    )
  })

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalize({ a: Number.NaN })).toThrow(/not finite/)
    expect(() => canonicalize({ a: 1n })).toThrow(/bigint/)
    expect(() => canonicalize(undefined)).toThrow(/no JSON form/)
  })
})
