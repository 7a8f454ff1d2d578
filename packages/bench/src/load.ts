import { percentile } from './measure.js'

export interface LoadResult {
  opsPerSec: number
  p50Ms: number
  p99Ms: number
  errors: number
}

/** Throughput and latency percentiles of a finished run. */
function summarize(latencies: number[], errors: number, elapsedMs: number): LoadResult {
  latencies.sort((a, b) => a - b)
  return {
    opsPerSec: (latencies.length * 1000) / elapsedMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  }
}

interface RawRun {
  latencies: number[]
  errors: number
  elapsedMs: number
}

async function closedLoopRun(
  fn: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
): Promise<RawRun> {
  const latencies: number[] = []
  let errors = 0
  const until = performance.now() + durationMs
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now()
        try {
          await fn()
          latencies.push(performance.now() - t0)
        } catch {
          errors++
        }
      }
    }),
  )
  return { latencies, errors, elapsedMs: performance.now() - started }
}

/** Closed loop: `concurrency` workers call `fn` back to back for `durationMs`. */
export async function closedLoop(
  fn: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
): Promise<LoadResult> {
  const run = await closedLoopRun(fn, concurrency, durationMs)
  return summarize(run.latencies, run.errors, run.elapsedMs)
}

/**
 * Closed loops of each function in turn, `rounds` times over (a, b, a, b, …), each summarized over
 * all its rounds: on a noisy machine a slow spell then weighs on both sides alike.
 */
export async function alternatingClosedLoops(
  fns: (() => Promise<unknown>)[],
  concurrency: number,
  roundMs: number,
  rounds: number,
): Promise<LoadResult[]> {
  const runs = fns.map((): RawRun => ({ latencies: [], errors: 0, elapsedMs: 0 }))
  for (let round = 0; round < rounds; round++) {
    for (const [i, fn] of fns.entries()) {
      const run = await closedLoopRun(fn, concurrency, roundMs)
      const total = runs[i]!
      for (const latency of run.latencies) total.latencies.push(latency)
      total.errors += run.errors
      total.elapsedMs += run.elapsedMs
    }
  }
  return runs.map((run) => summarize(run.latencies, run.errors, run.elapsedMs))
}

/** Open loop: starts `fn` at a fixed rate for `durationMs`, whatever the answers do; latency per call. */
export async function openLoop(
  fn: () => Promise<unknown>,
  ratePerSec: number,
  durationMs: number,
): Promise<LoadResult> {
  const latencies: number[] = []
  let errors = 0
  const intervalMs = 1000 / ratePerSec
  const total = Math.max(1, Math.floor((durationMs / 1000) * ratePerSec))
  const started = performance.now()
  const calls: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs
    const wait = due - performance.now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    const t0 = performance.now()
    calls.push(
      fn().then(
        () => void latencies.push(performance.now() - t0),
        () => void errors++,
      ),
    )
  }
  await Promise.all(calls)
  return summarize(latencies, errors, performance.now() - started)
}
