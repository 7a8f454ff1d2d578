import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  aggregate,
  coordinateMedian,
  fedAdam,
  fedAvg,
  krum,
  multiKrum,
  trimmedMean,
  type ClientUpdate,
} from '../src/index.js'

const value = (max: number): fc.Arbitrary<number> =>
  fc.float({ min: Math.fround(-max), max: Math.fround(max), noNaN: true })
const vector = (length: number, max: number): fc.Arbitrary<Float32Array> =>
  fc.array(value(max), { minLength: length, maxLength: length }).map((v) => Float32Array.from(v))

function updates(vectors: Float32Array[], examples: number[] = []): ClientUpdate[] {
  return vectors.map((params, i) => ({ trainer: `t${i}`, params, examples: examples[i] ?? 1 }))
}

/** Honest updates in [−1, 1]^d and f outliers of any size (up to 1e30), shuffled together. */
const honestAndOutliers = fc
  .record({
    d: fc.integer({ min: 1, max: 6 }),
    f: fc.integer({ min: 0, max: 3 }),
    extra: fc.integer({ min: 1, max: 4 }),
  })
  .chain(({ d, f, extra }) =>
    fc.record({
      honest: fc.array(vector(d, 1), { minLength: 2 * f + extra, maxLength: 2 * f + extra }),
      outliers: fc.array(vector(d, 1e30), { minLength: f, maxLength: f }),
      seed: fc.integer(),
      f: fc.constant(f),
    }),
  )

function shuffled<T>(items: T[], seed: number): T[] {
  return items
    .map((item, i) => ({ item, key: Math.imul(i + 1, seed | 1) >>> 0 }))
    .sort((a, b) => a.key - b.key)
    .map((entry) => entry.item)
}

function withinHonestRange(result: Float32Array, honest: Float32Array[]): boolean {
  return Array.from(result).every((x, k) => {
    const column = honest.map((h) => h[k]!)
    return x >= Math.min(...column) && x <= Math.max(...column)
  })
}

describe('FedAvg', () => {
  it('of identical updates is that update, whatever the weights', () => {
    fc.assert(
      fc.property(
        vector(5, 1e6),
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }),
        (params, examples) => {
          const result = fedAvg(
            new Float32Array(5),
            updates(
              examples.map(() => params),
              examples,
            ),
          )
          // Exactly, with −0 read as 0 (the sum starts at +0).
          expect(Array.from(result.params, (x) => x + 0)).toEqual(Array.from(params, (x) => x + 0))
          expect(result.accepted).toHaveLength(examples.length)
        },
      ),
    )
  })

  it('weighs each update by its examples and ignores their order', () => {
    const result = fedAvg(
      new Float32Array(2),
      updates([Float32Array.from([0, 4]), Float32Array.from([3, 0])], [1, 2]),
    )
    expect(Array.from(result.params)).toEqual([2, 4 / 3].map(Math.fround))
    fc.assert(
      fc.property(
        fc.array(vector(3, 100), { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (vectors, seed) => {
          const list = updates(
            vectors,
            vectors.map((_, i) => i + 1),
          )
          const a = fedAvg(new Float32Array(3), list).params
          const b = fedAvg(new Float32Array(3), shuffled(list, seed)).params
          a.forEach((x, k) => expect(b[k]).toBeCloseTo(x, 3))
        },
      ),
    )
  })
})

describe('median and trimmed mean', () => {
  it('stay within the honest values of each coordinate with f outliers of any size', () => {
    fc.assert(
      fc.property(honestAndOutliers, ({ honest, outliers, seed, f }) => {
        const all = shuffled(updates([...honest, ...outliers]), seed)
        const global = new Float32Array(honest[0]!.length)
        expect(withinHonestRange(coordinateMedian(global, all).params, honest)).toBe(true)
        expect(withinHonestRange(trimmedMean(global, all, f).params, honest)).toBe(true)
      }),
    )
  })

  it('report outliers far outside the honest values as discarded', () => {
    fc.assert(
      fc.property(
        honestAndOutliers,
        fc.constantFrom(-1e9, 1e9),
        ({ honest, outliers, seed, f }, offset) => {
          const far = outliers.map((o) => o.map((x) => offset + Math.sign(offset) * Math.abs(x)))
          const list = shuffled(updates([...honest, ...far]), seed)
          const farTrainers = list.filter((u) => !honest.includes(u.params)).map((u) => u.trainer)
          const global = new Float32Array(honest[0]!.length)
          for (const result of [trimmedMean(global, list, f), coordinateMedian(global, list, f)]) {
            for (const trainer of farTrainers) expect(result.discarded).toContain(trainer)
            expect(result.accepted.length + result.discarded.length).toBe(list.length)
          }
        },
      ),
    )
  })

  it('compute the plain median and trimmed mean', () => {
    const list = updates([[1], [7], [3], [100], [-50]].map((v) => Float32Array.from(v)))
    expect(coordinateMedian(new Float32Array(1), list).params[0]).toBe(3)
    expect(trimmedMean(new Float32Array(1), list, 1).params[0]).toBeCloseTo(11 / 3, 5)
    expect(trimmedMean(new Float32Array(1), list, 0).params[0]).toBeCloseTo(61 / 5, 5)
    expect(coordinateMedian(new Float32Array(1), list.slice(0, 4)).params[0]).toBe(5)
  })
})

describe('Krum and Multi-Krum', () => {
  /** Honest updates near a common point, f Byzantine ones at least 100·√d away (possibly together). */
  const attacked = fc
    .record({
      d: fc.integer({ min: 1, max: 5 }),
      f: fc.integer({ min: 1, max: 3 }),
      extra: fc.integer({ min: 3, max: 5 }),
    })
    .chain(({ d, f, extra }) =>
      fc.record({
        center: vector(d, 100),
        noise: fc.array(vector(d, 1), { minLength: f + extra, maxLength: f + extra }),
        byzantine: fc.array(
          fc.tuple(vector(d, 1), fc.double({ min: 100, max: 1e12, noNaN: true })),
          { minLength: f, maxLength: f },
        ),
        together: fc.boolean(),
        seed: fc.integer(),
        f: fc.constant(f),
      }),
    )

  it('pick only honest updates when f are Byzantine', () => {
    fc.assert(
      fc.property(attacked, ({ center, noise, byzantine, together, seed, f }) => {
        const d = center.length
        const honest = noise.map((n) => center.map((c, k) => c + n[k]!))
        const bad = byzantine.map(([direction, distance], i) => {
          const [dir, dist] = together ? byzantine[0]! : [direction, distance]
          const norm = Math.hypot(...dir) || 1
          return center.map(
            (c, k) =>
              c +
              ((dir[k]! || (k === 0 ? 1 : 0)) / norm) * dist * Math.sqrt(d) +
              (together ? 0 : i),
          )
        })
        const list = shuffled(
          [
            ...updates(honest),
            ...bad.map((params, i) => ({ trainer: `b${i}`, params, examples: 1000 })),
          ],
          seed,
        )
        const global = new Float32Array(d)
        const one = krum(global, list, f)
        expect(one.accepted).toHaveLength(1)
        expect(one.accepted[0]).toMatch(/^t/)
        const many = multiKrum(global, list, f)
        expect(many.accepted.sort()).toEqual(honest.map((_, i) => `t${i}`).sort())
        expect(many.discarded.sort()).toEqual(bad.map((_, i) => `b${i}`))
        expect(withinHonestRange(many.params, honest)).toBe(true)
      }),
    )
  })

  it('refuse fewer than 2f + 3 updates', () => {
    const list = updates([0, 1, 2, 3, 4, 5, 6].map((x) => Float32Array.from([x])))
    expect(() => krum(new Float32Array(1), list, 3)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    )
    expect(krum(new Float32Array(1), list, 2).accepted).toHaveLength(1)
  })
})

describe('FedAdam', () => {
  it('moves each coordinate by about η toward the mean in its first step, and carries its moments', () => {
    const global = Float32Array.from([0, 0, 5])
    const list = updates([Float32Array.from([2, -4, 5]), Float32Array.from([4, -2, 5])])
    const first = fedAdam(global, list, undefined, { learningRate: 0.1 })
    expect(Array.from(first.params).map((x) => Number(x.toFixed(5)))).toEqual([0.1, -0.1, 5])
    const second = fedAdam(first.params, list, first.state, { learningRate: 0.1 })
    expect(second.params[0]).toBeGreaterThan(first.params[0]!)
    expect(() => fedAdam(global, list, { m: new Float32Array(1), v: new Float32Array(1) })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    )
  })
})

describe('aggregate', () => {
  it('runs the strategy a spec names and refuses bad rounds', () => {
    const global = new Float32Array(2)
    const list = updates([
      Float32Array.from([1, 1]),
      Float32Array.from([3, 3]),
      Float32Array.from([2, 2]),
    ])
    expect(aggregate({ name: 'fedprox', mu: 0.1 }, global, list).params).toEqual(
      Float32Array.from([2, 2]),
    )
    expect(aggregate({ name: 'median' }, global, list).params).toEqual(Float32Array.from([2, 2]))
    expect(aggregate({ name: 'fedadam' }, global, list).state?.m).toHaveLength(2)
    for (const call of [
      () => aggregate({ name: 'fedavg' }, global, []),
      () => aggregate({ name: 'fedavg' }, global, [...list, list[0]!]),
      () =>
        aggregate({ name: 'fedavg' }, global, [
          { trainer: 'x', params: new Float32Array(3), examples: 1 },
        ]),
      () => aggregate({ name: 'fedavg' }, global, [{ trainer: 'x', params: global, examples: 0 }]),
      () => aggregate({ name: 'fedprox', mu: -1 }, global, list),
      () => aggregate({ name: 'trimmed-mean', byzantine: 2 }, global, list),
      () => aggregate({ name: 'multi-krum', byzantine: 0, keep: 4 }, global, list),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
    }
  })
})
