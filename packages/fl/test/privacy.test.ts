import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addGaussianNoise, clipToNorm, noisyMean, privacySpent } from '../src/index.js'

const key = (byte: number): Uint8Array => new Uint8Array(32).fill(byte)
const norm = (v: Float32Array): number => Math.hypot(...v)

describe('clipping', () => {
  it('scales an update down to the clip norm, keeping its direction, and leaves a short one alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (values, clip) => {
          const vector = Float32Array.from(values)
          const result = clipToNorm(vector, clip)
          expect(norm(result.vector)).toBeLessThanOrEqual(clip)
          expect(result.norm).toBeCloseTo(norm(vector), 0)
          if (!result.clipped) expect(result.vector).toEqual(vector)
          else
            result.vector.forEach((x, i) =>
              expect(Math.sign(x) * Math.sign(vector[i]!)).toBeGreaterThanOrEqual(0),
            )
        },
      ),
    )
  })
})

describe('Gaussian noise', () => {
  it('has the asked standard deviation, is the same for a key and differs between keys', () => {
    const zeros = new Float64Array(100_001)
    const noise = addGaussianNoise(zeros, 2.5, key(1))
    const mean = noise.reduce((s, x) => s + x, 0) / noise.length
    const std = Math.sqrt(noise.reduce((s, x) => s + (x - mean) ** 2, 0) / noise.length)
    expect(Math.abs(mean)).toBeLessThan(0.05)
    expect(Math.abs(std - 2.5)).toBeLessThan(0.05)
    // About 68.3% of draws within one standard deviation.
    const within = noise.filter((x) => Math.abs(x) < 2.5).length / noise.length
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.01)
    expect(addGaussianNoise(zeros.subarray(0, 10), 2.5, key(1))).toEqual(noise.subarray(0, 10))
    expect(addGaussianNoise(zeros.subarray(0, 10), 2.5, key(2))).not.toEqual(noise.subarray(0, 10))
    expect(() => addGaussianNoise(zeros, 1, new Uint8Array(4))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    )
  })

  it('gives the mean of clipped updates plus noise of z · C / n', () => {
    const sum = Float64Array.from({ length: 50_000 }, () => 30)
    const mean = noisyMean(sum, 10, { clipNorm: 2, noiseMultiplier: 1.5 }, key(3))
    const average = mean.reduce((s, x) => s + x, 0) / mean.length
    const std = Math.sqrt(mean.reduce((s, x) => s + (x - average) ** 2, 0) / mean.length)
    expect(Math.abs(average - 3)).toBeLessThan(0.01)
    expect(Math.abs(std - 0.3)).toBeLessThan(0.01)
  })
})

describe('the RDP accountant', () => {
  it('matches the closed form of the Gaussian mechanism without sampling', () => {
    // ε = min over α of T·α/(2z²) + log(1/δ)/(α − 1); over real α the minimum is
    // T/(2z²) + sqrt(2T·log(1/δ))/z, which integer orders approach from above.
    for (const [z, rounds] of [
      [1, 10],
      [4, 100],
      [0.8, 1],
    ] as const) {
      const spent = privacySpent({ noiseMultiplier: z, samplingRate: 1, rounds, delta: 1e-5 })
      const real = rounds / (2 * z * z) + Math.sqrt(2 * rounds * Math.log(1e5)) / z
      expect(spent.epsilon).toBeGreaterThanOrEqual(real - 1e-9)
      expect(spent.epsilon).toBeLessThan(real * 1.05)
      const at = spent.order
      expect(spent.epsilon).toBeCloseTo((rounds * at) / (2 * z * z) + Math.log(1e5) / (at - 1), 9)
    }
  })

  it('agrees with Opacus on DP-SGD over MNIST (q = 256/60000, z = 1.12, 60 epochs, δ = 1e-5: ε 2.95 at α 10)', () => {
    const spent = privacySpent({
      noiseMultiplier: 1.12,
      samplingRate: 256 / 60_000,
      rounds: 14_063,
      delta: 1e-5,
    })
    // Opacus tried only α ∈ {10, 20, 100}; all integer orders can only do as well or better.
    expect(spent.epsilon).toBeGreaterThan(2.8)
    expect(spent.epsilon).toBeLessThanOrEqual(2.95)
  })

  it('spends more with more rounds and less with more noise or rarer sampling', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 5, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 500 }),
        (z, q, rounds) => {
          const base = privacySpent({
            noiseMultiplier: z,
            samplingRate: q,
            rounds,
            delta: 1e-5,
          }).epsilon
          expect(base).toBeGreaterThan(0)
          expect(
            privacySpent({ noiseMultiplier: z, samplingRate: q, rounds: rounds + 1, delta: 1e-5 })
              .epsilon,
          ).toBeGreaterThanOrEqual(base)
          expect(
            privacySpent({ noiseMultiplier: z * 1.5, samplingRate: q, rounds, delta: 1e-5 })
              .epsilon,
          ).toBeLessThanOrEqual(base)
          expect(
            privacySpent({ noiseMultiplier: z, samplingRate: q / 2, rounds, delta: 1e-5 }).epsilon,
          ).toBeLessThanOrEqual(base)
        },
      ),
      { numRuns: 30 },
    )
    expect(
      privacySpent({ noiseMultiplier: 1, samplingRate: 1, rounds: 0, delta: 1e-5 }).epsilon,
    ).toBe(0)
    for (const bad of [
      { noiseMultiplier: 0, samplingRate: 1, rounds: 1, delta: 1e-5 },
      { noiseMultiplier: 1, samplingRate: 0, rounds: 1, delta: 1e-5 },
      { noiseMultiplier: 1, samplingRate: 1, rounds: 1.5, delta: 1e-5 },
      { noiseMultiplier: 1, samplingRate: 1, rounds: 1, delta: 1 },
    ]) {
      expect(() => privacySpent(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
    }
  })
})
