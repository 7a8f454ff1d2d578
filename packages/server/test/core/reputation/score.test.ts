import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decayFactor,
  defaultScoring,
  ratingWeight,
  scoreOf,
  type ScoringOptions,
} from '../../../src/core/reputation/score.js'

const DAY_MS = 86_400_000

describe('scoreOf', () => {
  it('answers the prior mean without evidence', () => {
    const parts = scoreOf(
      { successes: 0, failures: 0, ratingWeight: 0, ratingStars: 0 },
      defaultScoring,
    )
    expect(parts.score).toBe(defaultScoring.priorMean)
    expect(parts.evidenceShare).toBe(0)
    expect(parts.outcomes.mean).toBeNull()
    expect(parts.ratings.mean).toBeNull()
  })

  it('is the weighted average of the prior, outcomes as 0 or 5, and stars', () => {
    const options = { ...defaultScoring, priorMean: 3, priorStrength: 2 }
    // (2·3 + 5·3 + 2·1·4) / (2 + 3 + 1 + 2) = 29 / 8
    const parts = scoreOf({ successes: 3, failures: 1, ratingWeight: 2, ratingStars: 8 }, options)
    expect(parts.score).toBeCloseTo(29 / 8, 12)
    expect(parts.outcomes.mean).toBeCloseTo(3.75, 12)
    expect(parts.ratings.mean).toBe(4)
  })

  it('always stays within 0 and 5', () => {
    const weight = fc.double({ min: 0, max: 1e9, noNaN: true })
    fc.assert(
      fc.property(
        fc.record({
          successes: weight,
          failures: weight,
          ratingWeight: weight,
          stars: fc.double({ min: 1, max: 5, noNaN: true }),
        }),
        fc.record({
          priorMean: fc.double({ min: -10, max: 10, noNaN: true }),
          priorStrength: fc.double({ min: 0, max: 1e6, noNaN: true }),
        }),
        (evidence, prior) => {
          const options: ScoringOptions = { ...defaultScoring, ...prior }
          const { score } = scoreOf(
            { ...evidence, ratingStars: evidence.ratingWeight * evidence.stars },
            options,
          )
          expect(score).toBeGreaterThanOrEqual(0)
          expect(score).toBeLessThanOrEqual(5)
        },
      ),
    )
  })
})

describe('decayFactor', () => {
  it('halves evidence every half-life and never grows it', () => {
    expect(decayFactor(0, 10 * DAY_MS)).toBe(1)
    expect(decayFactor(10 * DAY_MS, 10 * DAY_MS)).toBeCloseTo(0.5, 12)
    expect(decayFactor(30 * DAY_MS, 10 * DAY_MS)).toBeCloseTo(0.125, 12)
    expect(decayFactor(-5, 10 * DAY_MS)).toBe(1)
    expect(decayFactor(1e12, Number.POSITIVE_INFINITY)).toBe(1)
  })
})

describe('ratingWeight', () => {
  it('grows with the logarithm of what was paid, from 1 up to the cap', () => {
    expect(ratingWeight(0n, defaultScoring)).toBe(1)
    expect(ratingWeight(10_000n, defaultScoring)).toBe(2) // one cent
    expect(ratingWeight(30_000n, defaultScoring)).toBe(3)
    expect(ratingWeight(150_000n, defaultScoring)).toBe(5)
    expect(ratingWeight(10n ** 24n, defaultScoring)).toBe(5)
  })
})
