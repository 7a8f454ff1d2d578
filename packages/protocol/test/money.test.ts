import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatAmount,
  MAX_MONEY_MICROS,
  MeshError,
  parseAmount,
  parseCurrency,
} from '../src/index.js'

describe('money', () => {
  it('parses decimal strings into micro-units', () => {
    expect(parseAmount('0.002')).toBe(2000n)
    expect(parseAmount('1')).toBe(1_000_000n)
    expect(parseAmount('12.5')).toBe(12_500_000n)
    expect(parseAmount('0.000001')).toBe(1n)
    expect(parseAmount('999999999999999999.999999')).toBe(MAX_MONEY_MICROS)
  })

  it.each([
    ['1e3'],
    ['-1'],
    ['0.0000001'],
    ['1000000000000000000'],
    ['01'],
    ['.5'],
    ['1.'],
    ['+1'],
    [' 1'],
    ['1,5'],
    ['NaN'],
    ['Infinity'],
    [''],
  ])('refuses %j', (text) => {
    expect(() => parseAmount(text)).toThrow(MeshError)
    try {
      parseAmount(text)
    } catch (error) {
      expect((error as MeshError).code).toBe('INVALID_AMOUNT')
      expect((error as MeshError).status).toBe(400)
    }
  })

  it('refuses numbers, which would carry floating-point error', () => {
    expect(() => parseAmount(0.1)).toThrow(/decimal string/)
  })

  it('accepts a negative amount only when asked to', () => {
    expect(parseAmount('-1.5', { allowNegative: true })).toBe(-1_500_000n)
  })

  it('formats the shortest decimal', () => {
    expect(formatAmount(2000n)).toBe('0.002')
    expect(formatAmount(1_500_000n)).toBe('1.5')
    expect(formatAmount(0n)).toBe('0')
    expect(formatAmount(-1n)).toBe('-0.000001')
  })

  it('round-trips every amount exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_MONEY_MICROS, max: MAX_MONEY_MICROS }), (micros) => {
        expect(parseAmount(formatAmount(micros), { allowNegative: true })).toBe(micros)
      }),
      { numRuns: 2000 },
    )
  })

  it('validates currency codes', () => {
    expect(parseCurrency('USD')).toBe('USD')
    expect(() => parseCurrency('usd')).toThrow(MeshError)
    expect(() => parseCurrency('US')).toThrow(MeshError)
  })
})
