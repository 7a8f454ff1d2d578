import type { TaskOutcome } from '../ports/outcome-sink.js'
import { MetricDetector, type DetectionOptions, type MetricSpec } from './metric-detector.js'

/** The metrics learned per agent and capability. */
export type AnomalyMetric = 'latency' | 'errorRate' | 'outputSize' | 'price'

/** One metric of one agent's capability out of its normal, now. */
export interface Anomaly {
  agentId: string
  capabilityId: string
  metric: AnomalyMetric
  /** The recent level and the learned normal one: ms, a share, characters of JSON, micro-units. */
  observed: number
  expected: number
  score: number
  sinceMs: number
  lastSeenMs: number
}

/** Detection settings, and how long anomalies last without news. */
export interface AnomalyOptions extends DetectionOptions {
  /** An anomaly with no sample for this long ends (the agent went quiet). */
  quietMs: number
  /** Agent–capability pairs learned at once; the least recently seen are forgotten first. */
  maxSeries: number
}

export const defaultAnomalyOptions: AnomalyOptions = {
  sensitivity: 3,
  minSamples: 20,
  confirmSamples: 5,
  baselineAlpha: 0.02,
  recentAlpha: 0.3,
  relearnSamples: 200,
  relearnAfterMs: 15 * 60_000,
  quietMs: 15 * 60_000,
  maxSeries: 10_000,
}

const log = (value: number): number => Math.log1p(Math.max(0, value))
const exp = (scaled: number): number => Math.expm1(scaled)
const same = (value: number): number => value

/** How each metric is learned (see `MetricSpec`). */
const SPECS: Record<AnomalyMetric, MetricSpec> = {
  latency: {
    scale: log,
    unscale: exp,
    direction: 'up',
    minStd: 0.1,
    minEffect: Math.LN2,
    minChange: 50,
  },
  errorRate: {
    scale: same,
    unscale: same,
    direction: 'up',
    minStd: 0.14,
    minEffect: 0.25,
    rate: { recentAlpha: 0.1 },
  },
  outputSize: { scale: log, unscale: exp, direction: 'both', minStd: 0.1, minEffect: Math.LN2 },
  price: { scale: log, unscale: exp, direction: 'both', minStd: 0.05, minEffect: Math.log(1.2) },
}
const METRICS = Object.keys(SPECS) as AnomalyMetric[]

type Series = { agentId: string; capabilityId: string } & Partial<
  Record<AnomalyMetric, MetricDetector>
>

/**
 * Learns what is normal for each agent and capability from task outcomes — latency, error rate,
 * output size, price — with streaming estimators (`MetricDetector`), and says what is out of its
 * normal now. Pure: time comes with the outcomes and the questions.
 */
export class AnomalyDetector {
  readonly #options: AnomalyOptions
  /** By `agentId capabilityId`, least recently seen first. */
  readonly #series = new Map<string, Series>()
  /** How many metrics of each agent are anomalous now, for ranking to ask on every search. */
  readonly #flagged = new Map<string, number>()

  constructor(options: AnomalyOptions = defaultAnomalyOptions) {
    this.#options = options
  }

  /** Learns from one outcome; canceled tasks say nothing about the agent. */
  observe(outcome: TaskOutcome): void {
    if (outcome.result === 'canceled') return
    const series = this.#touch(outcome.agentId, outcome.capabilityId)
    const at = outcome.atMs
    const completed = outcome.result === 'completed'
    this.#learn(series, 'errorRate', completed ? 0 : 1, at)
    if (!completed) return
    this.#learn(series, 'latency', outcome.latencyMs, at)
    if (outcome.outputLength !== undefined)
      this.#learn(series, 'outputSize', outcome.outputLength, at)
    if (outcome.priceMicros !== undefined)
      this.#learn(series, 'price', Number(outcome.priceMicros), at)
  }

  /** Whether any metric of the agent is anomalous (as of the last sample or `active` call). */
  isAnomalous(agentId: string): boolean {
    return this.#flagged.has(agentId)
  }

  /** Every anomaly now, oldest first; those without a sample for `quietMs` end. */
  active(nowMs: number): Anomaly[] {
    return [...this.#series.values()]
      .flatMap((series) => this.#anomalies(series, nowMs))
      .sort((a, b) => a.sinceMs - b.sinceMs)
  }

  /** An agent's anomalies now, of one capability or all. */
  of(agentId: string, nowMs: number, capabilityId?: string): Anomaly[] {
    return this.active(nowMs).filter(
      (a) =>
        a.agentId === agentId && (capabilityId === undefined || a.capabilityId === capabilityId),
    )
  }

  #anomalies(series: Series, nowMs: number): Anomaly[] {
    const found: Anomaly[] = []
    for (const metric of METRICS) {
      const detector = series[metric]
      if (!detector?.anomalous) continue
      const state = detector.state()
      if (nowMs - state.lastSeenMs >= this.#options.quietMs) {
        detector.reset()
        this.#flag(series.agentId, -1)
        continue
      }
      const { anomalous: _anomalous, ...levels } = state
      found.push({ agentId: series.agentId, capabilityId: series.capabilityId, metric, ...levels })
    }
    return found
  }

  #touch(agentId: string, capabilityId: string): Series {
    const key = `${agentId} ${capabilityId}`
    const series = this.#series.get(key) ?? { agentId, capabilityId }
    this.#series.delete(key)
    this.#series.set(key, series)
    if (this.#series.size > this.#options.maxSeries) {
      const [oldest, forgotten] = this.#series.entries().next().value!
      this.#series.delete(oldest)
      for (const metric of METRICS)
        if (forgotten[metric]?.anomalous) this.#flag(forgotten.agentId, -1)
    }
    return series
  }

  #learn(series: Series, metric: AnomalyMetric, value: number, atMs: number): void {
    const detector = (series[metric] ??= new MetricDetector(SPECS[metric], this.#options))
    const before = detector.anomalous
    const after = detector.observe(value, atMs)
    if (after !== before) this.#flag(series.agentId, after ? 1 : -1)
  }

  #flag(agentId: string, change: 1 | -1): void {
    const count = (this.#flagged.get(agentId) ?? 0) + change
    if (count > 0) this.#flagged.set(agentId, count)
    else this.#flagged.delete(agentId)
  }
}
