import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fromHex, toHex } from '../src/encoding.js'

describe('hex', () => {
  it('round-trips any bytes and agrees with Node', () => {
    for (const length of [0, 1, 2, 31, 32, 33, 257]) {
      const bytes = new Uint8Array(randomBytes(length))
      const text = toHex(bytes)
      expect(text).toBe(Buffer.from(bytes).toString('hex'))
      expect(fromHex(text)).toEqual(bytes)
      expect(fromHex(text.toUpperCase())).toEqual(bytes)
    }
    expect(fromHex('aBcD')).toEqual(new Uint8Array([0xab, 0xcd]))
  })

  it('refuses an odd length and characters that are not hex', () => {
    expect(() => fromHex('abc')).toThrow('odd length')
    for (const bad of ['zz', 'g0', '0 ', 'é0', '-1'])
      expect(() => fromHex(bad), bad).toThrow('Not hex')
  })
})
