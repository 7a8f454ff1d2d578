import { Ewma } from './ewma.js'

/** What is learned of one metric: how its samples are scaled and which way is bad. */
export interface MetricSpec {
  /** From the measured value to the scale the estimators work on (a logarithm for sizes). */
  scale: (value: number) => number
  /** Back to the measured unit, for showing. */
  unscale: (scaled: number) => number
  /** `up`: only a rise is anomalous (latency, errors); `both`: any change (size, price). */
  direction: 'up' | 'both'
  /** The least standard deviation assumed, on the scale: a constant series still has some slack. */
  minStd: number
  /** The least departure from normal that counts, on the scale (ln 2: twice or half). */
  minEffect: number
  /** The least departure in the measured unit that counts (50 ms of latency), if any. */
  minChange?: number
  /**
   * A 0/1 series (errors) is judged by its recent rate (an EWMA with this weight) instead of
   * sample by sample, since errors come in small bursts by chance; every sample is learned as it
   * is, since leaving the rare ones out would teach a rate lower than the true one.
   */
  rate?: { recentAlpha: number }
}

/** How sensitive detection is; see `defaultAnomalyOptions`. */
export interface DetectionOptions {
  /** How many standard deviations from normal a sample (or a recent error rate) must be. */
  sensitivity: number
  /** Samples learned before anything is judged. */
  minSamples: number
  /** Consecutive samples out of normal that raise an anomaly, and back within that end it. */
  confirmSamples: number
  /** The baseline's EWMA weight: about `2 / alpha` samples make up what is normal. */
  baselineAlpha: number
  /** The weight of the recent level shown beside the normal one. */
  recentAlpha: number
  /** An anomaly this many samples (and `minSamples`) long is the new normal. */
  relearnSamples: number
  /** Or this old (with `minSamples` seen during it). */
  relearnAfterMs: number
}

/** One metric's state: levels in the measured unit. */
export interface MetricState {
  anomalous: boolean
  sinceMs: number
  lastSeenMs: number
  /** The recent level (an EWMA). */
  observed: number
  /** The normal level. */
  expected: number
  /** The last sample's (or recent rate's) distance from normal, in standard deviations. */
  score: number
}

/**
 * Learns one metric of one agent's capability. What is normal is a slow EWMA of mean and variance
 * on the metric's scale. A sample is out when it is more than `sensitivity` standard deviations
 * (and `minEffect`, and `minChange`) from normal the bad way; `confirmSamples` out in a row raise
 * an anomaly and as many within normal in a row end it. A lone sample out is learned at the edge
 * of normal (so the tails stay in the variance), later ones of a run are not (so a jump is never
 * taught as normal before it is confirmed); while an anomaly lasts nothing is learned, a
 * shadow learns the new level instead, and an anomaly that outlasts `relearnSamples` or
 * `relearnAfterMs` becomes the new normal. Rates (errors) are judged by their recent rate, whose
 * standard deviation is the baseline's shrunk by the EWMA (a control chart).
 */
export class MetricDetector {
  readonly #spec: MetricSpec
  readonly #options: DetectionOptions
  #baseline: Ewma
  #shadow: Ewma | undefined
  readonly #recent: Ewma
  #streak = 0
  #anomalousSamples = 0
  #sinceMs = 0
  #lastSeenMs = 0
  #score = 0

  constructor(spec: MetricSpec, options: DetectionOptions) {
    this.#spec = spec
    this.#options = options
    this.#baseline = new Ewma(options.baselineAlpha)
    this.#recent = new Ewma(spec.rate?.recentAlpha ?? options.recentAlpha)
  }

  get anomalous(): boolean {
    return this.#shadow !== undefined
  }

  /** Takes one measured value at `atMs`; answers whether the metric is anomalous after it. */
  observe(value: number, atMs: number): boolean {
    const x = this.#spec.scale(value)
    this.#lastSeenMs = atMs
    this.#recent.update(x)
    if (this.#baseline.count < this.#options.minSamples) {
      this.#baseline.update(x)
      return false
    }
    const out = this.#isOut(x)
    if (this.#shadow) {
      this.#shadow.update(x)
      this.#anomalousSamples++
      this.#streak = out ? 0 : this.#streak + 1
      if (this.#streak >= this.#options.confirmSamples) this.#end()
      else if (this.#shadow.count >= this.#options.minSamples && this.#outlasted(atMs)) {
        this.#baseline = this.#shadow
        this.#end()
      }
      return this.anomalous
    }
    this.#streak = out ? this.#streak + 1 : 0
    if (this.#spec.rate || !out) this.#baseline.update(x)
    else if (this.#streak === 1) this.#baseline.update(this.#clipped(x))
    if (this.#streak >= this.#options.confirmSamples) {
      this.#shadow = new Ewma(this.#options.baselineAlpha)
      this.#shadow.update(x)
      this.#anomalousSamples = 0
      this.#streak = 0
      this.#sinceMs = atMs
    }
    return this.anomalous
  }

  /** Ends the anomaly now (no sample for too long); what was normal stays normal. */
  reset(): void {
    this.#end()
  }

  state(): MetricState {
    return {
      anomalous: this.anomalous,
      sinceMs: this.#sinceMs,
      lastSeenMs: this.#lastSeenMs,
      observed: this.#spec.unscale(this.#recent.mean),
      expected: this.#spec.unscale(this.#baseline.mean),
      score: this.#score,
    }
  }

  /** Whether `x` (or, for a rate, the recent rate) is out of normal the bad way; sets the score. */
  #isOut(x: number): boolean {
    const spec = this.#spec
    let std = Math.max(this.#baseline.std, spec.minStd)
    let level = x
    if (spec.rate) {
      const alpha = spec.rate.recentAlpha
      std *= Math.sqrt(alpha / (2 - alpha))
      level = this.#recent.mean
    }
    const effect = level - this.#baseline.mean
    const signed = spec.direction === 'up' ? effect : Math.abs(effect)
    this.#score = signed / std
    const change = Math.abs(spec.unscale(level) - spec.unscale(this.#baseline.mean))
    return (
      this.#score > this.#options.sensitivity &&
      signed >= spec.minEffect &&
      change >= (spec.minChange ?? 0)
    )
  }

  /** `x` moved back to the edge of normal: `sensitivity` standard deviations from the mean. */
  #clipped(x: number): number {
    const limit = this.#options.sensitivity * Math.max(this.#baseline.std, this.#spec.minStd)
    const mean = this.#baseline.mean
    return Math.min(mean + limit, Math.max(mean - limit, x))
  }

  #outlasted(atMs: number): boolean {
    return (
      this.#anomalousSamples >= this.#options.relearnSamples ||
      atMs - this.#sinceMs >= this.#options.relearnAfterMs
    )
  }

  #end(): void {
    this.#shadow = undefined
    this.#streak = 0
    this.#anomalousSamples = 0
  }
}
