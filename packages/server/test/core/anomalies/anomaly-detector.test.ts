import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AnomalyDetector,
  defaultAnomalyOptions,
} from '../../../src/core/anomalies/anomaly-detector.js'
import type { TaskOutcome } from '../../../src/core/ports/outcome-sink.js'

const T0 = Date.UTC(2030, 0, 1)
const EVERY_MS = 5000

/** A seeded uniform generator (mulberry32), so every run draws the same samples. */
function uniform(seed: number): () => number {
  let state = seed | 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A standard normal draw (Box–Muller). */
const gaussian = (random: () => number): number =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())

interface Sample {
  latencyMs: number
  failed: boolean
  outputLength: number
  priceMicros: bigint
}

/** How a steady agent behaves: each profile draws one task's measures. */
const PROFILES: Record<string, (random: () => number) => Sample> = {
  // Log-normal latency around 200 ms (×1.35 spread), 2 % errors, sizes around 500.
  typical: (random) => ({
    latencyMs: 200 * Math.exp(0.3 * gaussian(random)),
    failed: random() < 0.02,
    outputLength: Math.round(500 * Math.exp(0.2 * gaussian(random))),
    priceMicros: 10_000n,
  }),
  // A wide spread everywhere: ×2.2 latency, 10 % errors, sizes ×2.7, five price levels.
  erratic: (random) => ({
    latencyMs: 100 * Math.exp(0.8 * gaussian(random)),
    failed: random() < 0.1,
    outputLength: Math.round(300 * Math.exp(gaussian(random))),
    priceMicros: BigInt(1000 * (1 + Math.floor(random() * 5))),
  }),
  // Exponential latency (a long tail of fast answers), sizes uniform from 1 to 2000.
  skewed: (random) => ({
    latencyMs: -300 * Math.log(1 - random()),
    failed: random() < 0.05,
    outputLength: 1 + Math.floor(random() * 2000),
    priceMicros: 5000n,
  }),
}

function outcome(atMs: number, sample: Partial<Sample> & { agentId?: string }): TaskOutcome {
  return {
    taskId: `task-${atMs}`,
    agentId: sample.agentId ?? 'did:key:agent',
    capabilityId: 'text.echo',
    requester: 'did:key:requester',
    result: sample.failed ? 'failed' : 'completed',
    latencyMs: sample.latencyMs ?? 200,
    paidMicros: sample.priceMicros ?? 0n,
    currency: 'USD',
    atMs,
    ...(sample.outputLength === undefined ? {} : { outputLength: sample.outputLength }),
    ...(sample.priceMicros === undefined ? {} : { priceMicros: sample.priceMicros }),
  }
}

/** Feeds `count` samples one every 5 s from `startMs`; answers the time after the last one. */
function feed(
  detector: AnomalyDetector,
  startMs: number,
  count: number,
  draw: (i: number) => Partial<Sample> & { agentId?: string },
): number {
  let at = startMs
  for (let i = 0; i < count; i++) {
    at += EVERY_MS
    detector.observe(outcome(at, draw(i)))
  }
  return at
}

describe('AnomalyDetector', () => {
  it('raises nothing over 10,000 samples of a steady agent at the default sensitivity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(...Object.keys(PROFILES)),
        (seed, profile) => {
          const random = uniform(seed)
          const detector = new AnomalyDetector(defaultAnomalyOptions)
          let at = T0
          for (let i = 0; i < 10_000; i++) {
            at += EVERY_MS
            detector.observe(outcome(at, PROFILES[profile]!(random)))
            if (detector.isAnomalous('did:key:agent')) return false
          }
          return detector.active(at).length === 0
        },
      ),
      { numRuns: 24, seed: 20_300 },
    )
  })

  it('flags a latency that jumps tenfold within five samples, and ends it once back to normal', () => {
    const random = uniform(7)
    const detector = new AnomalyDetector()
    const normal = () => 200 * Math.exp(0.3 * gaussian(random))
    let at = feed(detector, T0, 200, () => ({ latencyMs: normal() }))
    expect(detector.active(at)).toEqual([])
    const jumpAt = at
    let samples = 0
    while (!detector.isAnomalous('did:key:agent') && samples < 50) {
      at = feed(detector, at, 1, () => ({ latencyMs: 10 * normal() }))
      samples++
    }
    expect(samples).toBeLessThanOrEqual(5)
    const [anomaly] = detector.active(at)
    expect(anomaly).toMatchObject({ metric: 'latency', capabilityId: 'text.echo' })
    expect(anomaly!.sinceMs - jumpAt).toBeLessThanOrEqual(5 * EVERY_MS)
    expect(anomaly!.expected).toBeGreaterThan(150)
    expect(anomaly!.expected).toBeLessThan(260)
    expect(anomaly!.observed).toBeGreaterThan(5 * anomaly!.expected)
    // Still slow: still anomalous (the slow samples are not learned as normal).
    at = feed(detector, at, 30, () => ({ latencyMs: 10 * normal() }))
    expect(detector.active(at).map((a) => a.metric)).toEqual(['latency'])
    at = feed(detector, at, 5, () => ({ latencyMs: normal() }))
    expect(detector.active(at)).toEqual([])
    expect(detector.isAnomalous('did:key:agent')).toBe(false)
  })

  it('flags errors, a shrunken output and a new price, each as its own metric', () => {
    const detector = new AnomalyDetector()
    const steady = { outputLength: 400, priceMicros: 10_000n, latencyMs: 100 }
    let at = feed(detector, T0, 100, () => steady)
    at = feed(detector, at, 10, () => ({ ...steady, failed: true }))
    expect(detector.active(at).map((a) => a.metric)).toEqual(['errorRate'])
    at = feed(detector, at, 30, () => steady)
    expect(detector.active(at)).toEqual([])
    at = feed(detector, at, 5, () => ({ ...steady, outputLength: 2, priceMicros: 20_000n }))
    expect(
      detector
        .of('did:key:agent', at, 'text.echo')
        .map((a) => a.metric)
        .sort(),
    ).toEqual(['outputSize', 'price'])
    expect(detector.of('did:key:agent', at, 'other.capability')).toEqual([])
    expect(detector.of('did:key:other', at)).toEqual([])
  })

  it('learns a change that lasts as the new normal, and lets a quiet anomaly go', () => {
    const options = { ...defaultAnomalyOptions, relearnSamples: 40 }
    const detector = new AnomalyDetector(options)
    let at = feed(detector, T0, 50, () => ({ outputLength: 100 }))
    at = feed(detector, at, 5, () => ({ outputLength: 5000 }))
    expect(detector.isAnomalous('did:key:agent')).toBe(true)
    at = feed(detector, at, 40, () => ({ outputLength: 5000 }))
    expect(detector.active(at)).toEqual([])
    at = feed(detector, at, 5, () => ({ outputLength: 100 }))
    expect(detector.active(at).map((a) => a.metric)).toEqual(['outputSize'])
    // No sample for the quiet time: the anomaly ends.
    expect(detector.active(at + options.quietMs)).toEqual([])
    expect(detector.isAnomalous('did:key:agent')).toBe(false)
  })

  it('ignores canceled tasks, ignores a lone spike, and judges nothing before it has learned', () => {
    const detector = new AnomalyDetector()
    let at = feed(detector, T0, 10, () => ({ latencyMs: 100 }))
    at = feed(detector, at, 10, () => ({ latencyMs: 5000 }))
    expect(detector.active(at)).toEqual([])
    const fresh = new AnomalyDetector()
    at = feed(fresh, T0, 100, () => ({ latencyMs: 100 }))
    fresh.observe({ ...outcome(at + 1, { latencyMs: 90_000 }), result: 'canceled' })
    at = feed(fresh, at + 1, 1, () => ({ latencyMs: 90_000 }))
    at = feed(fresh, at, 5, () => ({ latencyMs: 100 }))
    expect(fresh.active(at)).toEqual([])
  })

  it('forgets the least recently seen agent past maxSeries', () => {
    const detector = new AnomalyDetector({ ...defaultAnomalyOptions, maxSeries: 2 })
    let at = feed(detector, T0, 30, () => ({ agentId: 'did:key:a', outputLength: 10 }))
    at = feed(detector, at, 5, () => ({ agentId: 'did:key:a', outputLength: 10_000 }))
    expect(detector.isAnomalous('did:key:a')).toBe(true)
    at = feed(detector, at, 1, () => ({ agentId: 'did:key:b' }))
    at = feed(detector, at, 1, () => ({ agentId: 'did:key:c' }))
    expect(detector.isAnomalous('did:key:a')).toBe(false)
    expect(detector.active(at)).toEqual([])
  })
})
