/** One measured figure, with its ratio to a baseline measured in the same run. */
export interface BenchFigure {
  suite: string
  name: string
  opsPerSec: number
  p50Ms?: number
  p99Ms?: number
  baseline?: string
  /** opsPerSec divided by the baseline's opsPerSec. */
  ratio?: number
}

/**
 * Runs `fn` in batches until `durationMs` has passed (after a short warm-up) and answers
 * operations per second.
 */
export function opsPerSecond(fn: () => unknown, durationMs = 400): number {
  const warmUntil = performance.now() + Math.min(100, durationMs / 4)
  while (performance.now() < warmUntil) fn()
  let ops = 0
  let batch = 16
  const start = performance.now()
  let elapsed = 0
  while (elapsed < durationMs) {
    for (let i = 0; i < batch; i++) fn()
    ops += batch
    elapsed = performance.now() - start
    if (elapsed < durationMs / 10) batch *= 2
  }
  return (ops * 1000) / elapsed
}

/** Percentile of a sorted array of samples (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] ?? Number.NaN
}

/** Adds `baseline` and `ratio` to a figure, measured against another from the same run. */
export function against(figure: BenchFigure, baseline: BenchFigure): BenchFigure {
  return { ...figure, baseline: baseline.name, ratio: figure.opsPerSec / baseline.opsPerSec }
}
