import { describe, expect, it } from 'vitest'
import { loadDigits } from '../src/digits.js'
import {
  concat,
  holdOut,
  parseDigitsCsv,
  splitDirichlet,
  splitIid,
  type Dataset,
} from '../src/index.js'

const digits = loadDigits()

/** Each example as its features and label, to compare data sets as multisets. */
function rows(data: Dataset): string[] {
  return Array.from(data.labels, (label, i) =>
    [...data.features.subarray(i * data.inputs, (i + 1) * data.inputs), label].join(','),
  ).sort()
}

function classCounts(data: Dataset): number[] {
  const counts: number[] = new Array<number>(data.classes).fill(0)
  for (const label of data.labels) counts[label] = counts[label]! + 1
  return counts
}

describe('the digits data set', () => {
  it('holds 1,797 images of 8×8 pixels in [0, 1] and 10 classes of about 180 each', () => {
    expect(digits.labels).toHaveLength(1797)
    expect(digits.features).toHaveLength(1797 * 64)
    expect(Math.min(...digits.features)).toBe(0)
    expect(Math.max(...digits.features)).toBe(1)
    expect(classCounts(digits)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
  })

  it('refuses a line that is not 65 integers', () => {
    expect(() => parseDigitsCsv('1,2,3\n')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    )
  })
})

describe('splits', () => {
  it('holds out a stratified share, and the two parts are the data set', () => {
    const { train, heldOut } = holdOut(digits, 0.2, 1)
    expect(heldOut.labels.length).toBeGreaterThan(350)
    expect(heldOut.labels.length).toBeLessThan(370)
    for (const count of classCounts(heldOut)) expect(Math.abs(count - 36)).toBeLessThanOrEqual(1)
    expect(rows(concat([train, heldOut]))).toEqual(rows(digits))
  })

  it('deals IID shares of near-equal size whose union is the data set', () => {
    const shares = splitIid(digits, 7, 3)
    const sizes = shares.map((share) => share.labels.length)
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    expect(rows(concat(shares))).toEqual(rows(digits))
  })

  it('deals Dirichlet(0.5) shares skewed in class, whose union is the data set, the same for a seed', () => {
    const shares = splitDirichlet(digits, 10, 0.5, 4)
    expect(rows(concat(shares))).toEqual(rows(digits))
    for (const share of shares) expect(share.labels.length).toBeGreaterThanOrEqual(10)
    // Skewed: a typical trainer's largest class is several times its share under IID (10%).
    const topShares = shares.map((share) => Math.max(...classCounts(share)) / share.labels.length)
    expect(topShares.filter((top) => top > 0.25).length).toBeGreaterThanOrEqual(5)
    const iidTop = splitIid(digits, 10, 4).map((s) => Math.max(...classCounts(s)) / s.labels.length)
    expect(Math.max(...iidTop)).toBeLessThan(0.2)
    expect(splitDirichlet(digits, 10, 0.5, 4).map(rows)).toEqual(shares.map(rows))
    expect(splitDirichlet(digits, 10, 0.5, 5).map(rows)).not.toEqual(shares.map(rows))
  })

  it('refuses impossible splits', () => {
    for (const call of [
      () => splitIid(digits, 0, 1),
      () => splitDirichlet(digits, 10, 0, 1),
      () => splitDirichlet(digits, 200, 0.5, 1),
      () => holdOut(digits, 1, 1),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
    }
  })
})
