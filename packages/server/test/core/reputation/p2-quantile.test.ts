import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { P2Quantile } from '../../../src/core/reputation/p2-quantile.js'

/** A small seeded PRNG (mulberry32) giving uniform draws in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** The exact quantile of sorted values, by nearest rank. */
function exact(sorted: number[], p: number): number {
  const rank = Math.ceil(Math.min(1, Math.max(0, p)) * sorted.length) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!
}

describe('P2Quantile', () => {
  it('answers null before any value and the exact quantile below five', () => {
    const q = new P2Quantile(0.5)
    expect(q.estimate()).toBeNull()
    for (const x of [30, 10, 20]) q.add(x)
    expect(q.estimate()).toBe(20)
    const p95 = new P2Quantile(0.95)
    for (const x of [1, 2, 3, 4]) p95.add(x)
    expect(p95.estimate()).toBe(4)
  })

  it('ignores values that are not finite', () => {
    const q = new P2Quantile(0.5)
    q.add(Number.NaN)
    q.add(Number.POSITIVE_INFINITY)
    expect(q.count).toBe(0)
  })

  it('rejects a quantile outside (0, 1)', () => {
    expect(() => new P2Quantile(1)).toThrow(RangeError)
    expect(() => new P2Quantile(0)).toThrow(RangeError)
  })

  it('survives a round trip through JSON mid-stream', () => {
    const whole = new P2Quantile(0.95)
    let split = new P2Quantile(0.95)
    for (let i = 0; i < 500; i++) {
      const x = (i * 7919) % 1000
      whole.add(x)
      split.add(x)
      if (i % 37 === 0) split = P2Quantile.fromJSON(JSON.parse(JSON.stringify(split)))
    }
    expect(split.estimate()).toBe(whole.estimate())
  })

  it('estimates p50 and p95 within 5 percentage points of the exact quantile on random samples', () => {
    // P² assumes a stationary stream, so the data are independent draws from a distribution
    // (fast-check picks the distribution, the seed and the size), not fast-check's own arrays,
    // which are biased toward runs and trends.
    const distributions: Record<string, (u: () => number) => number> = {
      uniform: (u) => 10_000 * u(),
      exponential: (u) => -100 * Math.log(1 - u()),
      latency: (u) => (u() < 0.9 ? 50 + 50 * u() : 500 + 5_000 * u()),
      lognormal: (u) =>
        Math.exp(4 + Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())),
      ties: (u) => Math.floor(20 * u()),
    }
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(distributions)),
        fc.integer(),
        fc.integer({ min: 500, max: 5_000 }),
        fc.constantFrom(0.5, 0.95),
        (name, seed, size, p) => {
          const u = mulberry32(seed)
          const draw = distributions[name]!
          const data = Array.from({ length: size }, () => draw(u))
          const estimator = new P2Quantile(p)
          for (const x of data) estimator.add(x)
          // Between the exact quantiles at p ± 0.05, give or take 1% of the range (for ties, an
          // estimate may fall between two atoms).
          const sorted = data.sort((a, b) => a - b)
          const slack = 0.01 * (sorted.at(-1)! - sorted[0]!)
          const estimate = estimator.estimate()!
          expect(estimate).toBeGreaterThanOrEqual(exact(sorted, p - 0.05) - slack)
          expect(estimate).toBeLessThanOrEqual(exact(sorted, p + 0.05) + slack)
        },
      ),
      { numRuns: 300 },
    )
  })
})
