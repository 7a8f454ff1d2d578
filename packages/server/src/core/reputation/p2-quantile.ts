/**
 * The state of a P² estimator, as stored: plain numbers, so it survives JSON. Until five values
 * have been seen, `heights` holds them as they came and the other arrays are empty.
 */
export interface P2State {
  /** The quantile estimated, in (0, 1). */
  p: number
  count: number
  /** Marker heights q0..q4. */
  heights: number[]
  /** Marker positions n0..n4 (1-based ranks). */
  positions: number[]
  /** Desired marker positions n'0..n'4. */
  desired: number[]
}

/**
 * A streaming quantile estimate in constant space: the P² algorithm (Jain and Chlamtac, "The P²
 * algorithm for dynamic calculation of quantiles and histograms without storing observations",
 * CACM 1985). Five markers track the minimum, p/2, p, (1+p)/2 and the maximum; each new value
 * moves the markers' positions and adjusts their heights with a piecewise-parabolic formula. It
 * never stores the values, so reputation can keep a latency p50/p95 per agent and capability in a
 * few bytes of state.
 */
export class P2Quantile {
  readonly #state: P2State

  constructor(p: number, state?: P2State) {
    if (!(p > 0 && p < 1)) throw new RangeError(`Quantile ${p} is not between 0 and 1`)
    this.#state = state
      ? {
          p,
          count: state.count,
          heights: [...state.heights],
          positions: [...state.positions],
          desired: [...state.desired],
        }
      : { p, count: 0, heights: [], positions: [], desired: [] }
  }

  /** Rebuilds an estimator from its stored state. */
  static fromJSON(state: P2State): P2Quantile {
    return new P2Quantile(state.p, state)
  }

  get count(): number {
    return this.#state.count
  }

  /** Adds one observation; non-finite values are ignored. */
  add(x: number): void {
    if (!Number.isFinite(x)) return
    const s = this.#state
    s.count += 1
    if (s.count <= 5) {
      s.heights.push(x)
      if (s.count === 5) {
        s.heights.sort((a, b) => a - b)
        s.positions = [1, 2, 3, 4, 5]
        s.desired = [1, 1 + 2 * s.p, 1 + 4 * s.p, 3 + 2 * s.p, 5]
      }
      return
    }
    const q = s.heights
    const n = s.positions
    let k: number
    if (x < q[0]!) {
      q[0] = x
      k = 0
    } else if (x >= q[4]!) {
      q[4] = x
      k = 3
    } else {
      k = 0
      while (k < 3 && x >= q[k + 1]!) k += 1
    }
    for (let i = k + 1; i < 5; i++) n[i] = n[i]! + 1
    const increments = [0, s.p / 2, s.p, (1 + s.p) / 2, 1]
    for (let i = 0; i < 5; i++) s.desired[i] = s.desired[i]! + increments[i]!
    for (let i = 1; i <= 3; i++) this.#adjust(i)
  }

  #adjust(i: number): void {
    const q = this.#state.heights
    const n = this.#state.positions
    const d = this.#state.desired[i]! - n[i]!
    const roomAbove = n[i + 1]! - n[i]! > 1
    const roomBelow = n[i - 1]! - n[i]! < -1
    if (!((d >= 1 && roomAbove) || (d <= -1 && roomBelow))) return
    const step = Math.sign(d)
    const parabolic =
      q[i]! +
      (step / (n[i + 1]! - n[i - 1]!)) *
        ((n[i]! - n[i - 1]! + step) * ((q[i + 1]! - q[i]!) / (n[i + 1]! - n[i]!)) +
          (n[i + 1]! - n[i]! - step) * ((q[i]! - q[i - 1]!) / (n[i]! - n[i - 1]!)))
    if (q[i - 1]! < parabolic && parabolic < q[i + 1]!) {
      q[i] = parabolic
    } else {
      const j = i + step
      q[i] = q[i]! + (step * (q[j]! - q[i]!)) / (n[j]! - n[i]!)
    }
    n[i] = n[i]! + step
  }

  /** The current estimate; exact (nearest rank) below five observations, `null` with none. */
  estimate(): number | null {
    const s = this.#state
    if (s.count === 0) return null
    if (s.count < 5) {
      const sorted = [...s.heights].sort((a, b) => a - b)
      return sorted[Math.min(sorted.length - 1, Math.ceil(s.p * sorted.length) - 1)] ?? null
    }
    return s.heights[2] ?? null
  }

  /** The state to store. */
  toJSON(): P2State {
    const s = this.#state
    return {
      p: s.p,
      count: s.count,
      heights: [...s.heights],
      positions: [...s.positions],
      desired: [...s.desired],
    }
  }
}
