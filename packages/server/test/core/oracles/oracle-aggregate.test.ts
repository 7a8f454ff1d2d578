import { describe, expect, it } from 'vitest'
import {
  aggregate,
  readAnswer,
  type OraclePolicy,
} from '../../../src/core/oracles/oracle-aggregate.js'
import { oracleWeight } from '../../../src/core/oracles/oracle-reputation.js'

const median = (tolerance = 0.01): OraclePolicy => ({
  mode: 'oracle',
  n: 5,
  aggregate: 'median',
  tolerance,
  field: '/price',
})
const majority: OraclePolicy = {
  mode: 'oracle',
  n: 5,
  aggregate: 'majority',
  tolerance: 0,
  field: '',
}
const even = (...values: unknown[]) => values.map((value) => ({ value, weight: 0.5 }))

describe('oracle aggregation', () => {
  it('reads the answer at the field: numbers for the median, any JSON for the majority', () => {
    expect(readAnswer(median(), { price: 101.5 })).toBe(101.5)
    expect(readAnswer(median(), { price: '101.5' })).toBeUndefined()
    expect(readAnswer(median(), { price: Number.NaN })).toBeUndefined()
    expect(readAnswer(median(), { other: 1 })).toBeUndefined()
    expect(readAnswer({ ...median(), field: '/a~1b/0' }, { 'a/b': [7] })).toBe(7)
    expect(readAnswer(majority, { label: 'spam' })).toEqual({ label: 'spam' })
  })

  it('takes the weighted median, and pays those within tolerance of it', () => {
    const result = aggregate(median(0.01), even(100, 100.5, 1000, 102, 99.8))
    expect(result).toMatchObject({ ok: true, answer: 100.5 })
    if (!result.ok) return
    expect(result.within).toEqual([true, true, false, false, true])
    expect(result.deviations[2]).toBeCloseTo(899.5 / 100.5)
    expect(result.deviations[1]).toBe(0)
  })

  it('lets reputation move the median: heavy sources outweigh light ones', () => {
    const answers = [
      { value: 10, weight: 0.9 },
      { value: 11, weight: 0.9 },
      { value: 50, weight: 0.1 },
      { value: 51, weight: 0.1 },
      { value: 52, weight: 0.1 },
    ]
    expect(aggregate(median(), answers)).toMatchObject({ ok: true, answer: 11 })
    expect(aggregate(median(), even(10, 11, 50, 51, 52))).toMatchObject({ ok: true, answer: 50 })
  })

  it('measures deviation absolutely around an answer of zero', () => {
    const result = aggregate(median(0.5), even(0, 0, 0, 2, undefined))
    expect(result).toMatchObject({ ok: true, answer: 0, within: [true, true, true, false, false] })
    if (result.ok) expect(result.deviations).toEqual([0, 0, 0, 2, null])
  })

  it('takes the label with a weighted majority, and disputes without one', () => {
    const result = aggregate(majority, [
      { value: 'spam', weight: 0.5 },
      { value: 'ham', weight: 0.9 },
      { value: 'ham', weight: 0.5 },
      { value: 'spam', weight: 0.2 },
      { value: undefined, weight: 0.5 },
    ])
    expect(result).toMatchObject({
      ok: true,
      answer: 'ham',
      within: [false, true, true, false, false],
    })
    if (result.ok) expect(result.deviations).toEqual([1, 0, 0, 1, null])
    expect(aggregate(majority, even('a', 'a', 'b', 'b', 'c'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/No answer holds a weighted majority \(the largest holds 40 %/),
    })
  })

  it('needs usable answers from more than half of the sources', () => {
    expect(aggregate(median(), even(1, 2, undefined, undefined, undefined))).toEqual({
      ok: false,
      reason: 'Only 2 of 5 sources gave a usable answer; more than half are needed',
    })
    expect(aggregate(median(), even(1, 2, 3, undefined, undefined))).toMatchObject({ ok: true })
  })

  it('weighs a new source 0.5, and moves toward its record', () => {
    expect(oracleWeight({ answers: 0, withinTolerance: 0 })).toBe(0.5)
    expect(oracleWeight({ answers: 1, withinTolerance: 0 })).toBeCloseTo(1 / 3)
    expect(oracleWeight({ answers: 98, withinTolerance: 98 })).toBeCloseTo(0.99)
  })
})
