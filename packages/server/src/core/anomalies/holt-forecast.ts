/**
 * Holt's linear trend (double exponential smoothing) for samples at any spacing: a level and a
 * trend per millisecond, each smoothed; the forecast `h` ms ahead is `level + trend × h`, never
 * below 0. With `alpha` the level follows the samples, with `beta` the trend follows the level's
 * moves.
 */
export class HoltForecast {
  readonly #alpha: number
  readonly #beta: number
  #level = 0
  #trendPerMs = 0
  #lastAtMs: number | undefined
  #count = 0

  constructor(options: { alpha: number; beta: number } = { alpha: 0.5, beta: 0.3 }) {
    this.#alpha = options.alpha
    this.#beta = options.beta
  }

  /** Takes the value measured at `atMs`; samples at or before the last one are ignored. */
  observe(value: number, atMs: number): void {
    if (this.#lastAtMs === undefined) {
      this.#level = value
      this.#lastAtMs = atMs
      this.#count = 1
      return
    }
    const dt = atMs - this.#lastAtMs
    if (dt <= 0) return
    if (this.#count === 1) {
      // The second sample sets the first trend: the line through the two.
      this.#trendPerMs = (value - this.#level) / dt
      this.#level = value
    } else {
      const predicted = this.#level + this.#trendPerMs * dt
      const level = this.#alpha * value + (1 - this.#alpha) * predicted
      const slope = (level - this.#level) / dt
      this.#trendPerMs = this.#beta * slope + (1 - this.#beta) * this.#trendPerMs
      this.#level = level
    }
    this.#lastAtMs = atMs
    this.#count++
  }

  /** The value expected `horizonMs` after the last sample; `undefined` before two samples. */
  forecast(horizonMs: number): { value: number; trendPerMs: number } | undefined {
    if (this.#count < 2) return undefined
    return {
      value: Math.max(0, this.#level + this.#trendPerMs * horizonMs),
      trendPerMs: this.#trendPerMs,
    }
  }
}
