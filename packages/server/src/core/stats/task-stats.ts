import { isTerminal, type TaskState } from '../tasks/task-types.js'
import { TASK_EVENTS, type TaskEvent } from '../tasks/task-runner.js'
import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'

/** Finished tasks per second of the window, for a live chart. */
export interface StatsPoint {
  /** Start of the second, epoch ms. */
  atMs: number
  finished: number
  errors: number
  p95LatencyMs: number | null
}

/** The node's task figures over the last window (a minute by default). */
export interface StatsSnapshot {
  atMs: number
  windowMs: number
  /** Tasks that reached a final state in the window, per second. */
  tasksPerSecond: number
  finished: number
  /** Finished as failed, timed_out or disputed (canceled is no error). */
  errors: number
  /** errors / finished, null with nothing finished. */
  errorRate: number | null
  /** Submission to final state, over completed, failed, timed_out and disputed tasks. */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null }
  /** Tasks submitted and not final yet, as far as this node has seen. */
  inFlight: number
  /** One point per second of the window, oldest first. */
  series: StatsPoint[]
}

interface Bucket {
  second: number
  finished: number
  errors: number
  latencies: number[]
}

const ERROR_STATES: ReadonlySet<TaskState> = new Set(['failed', 'timed_out', 'disputed'])

/** The value at quantile `q` (0–1) of sorted numbers, nearest rank; null when empty. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1] ?? null
}

/**
 * Aggregate task figures for the dashboard's overview, fed from the bus topic `tasks.events`: one
 * bucket per second over a sliding window. Memory is bounded: at most `maxSamplesPerSecond`
 * latencies are kept per second (the counts stay exact), and at most `maxInFlight` open tasks.
 */
export class TaskStats {
  readonly #bus: Bus
  readonly #clock: Clock
  readonly #windowSeconds: number
  readonly #maxSamples: number
  readonly #maxInFlight: number
  readonly #buckets: (Bucket | undefined)[]
  readonly #open = new Set<string>()
  #unsubscribe: (() => void) | undefined

  constructor(
    deps: { bus: Bus; clock: Clock },
    options: { windowMs?: number; maxSamplesPerSecond?: number; maxInFlight?: number } = {},
  ) {
    this.#bus = deps.bus
    this.#clock = deps.clock
    this.#windowSeconds = Math.max(1, Math.round((options.windowMs ?? 60_000) / 1000))
    this.#maxSamples = options.maxSamplesPerSecond ?? 1000
    this.#maxInFlight = options.maxInFlight ?? 100_000
    this.#buckets = new Array<Bucket | undefined>(this.#windowSeconds)
  }

  /** Starts listening to task transitions. */
  start(): void {
    this.#unsubscribe ??= this.#bus.subscribe(TASK_EVENTS, (message) =>
      this.record(message.body as TaskEvent),
    )
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
  }

  /** Counts one transition (the bus calls it; tests may too). */
  record(event: TaskEvent): void {
    if (!isTerminal(event.state)) {
      if (this.#open.size < this.#maxInFlight) this.#open.add(event.taskId)
      return
    }
    this.#open.delete(event.taskId)
    const second = Math.floor(event.atMs / 1000)
    if (second <= Math.floor(this.#clock.now() / 1000) - this.#windowSeconds) return
    const bucket = this.#bucket(second)
    bucket.finished++
    if (event.state === 'canceled') return
    if (ERROR_STATES.has(event.state)) bucket.errors++
    if (bucket.latencies.length < this.#maxSamples) {
      bucket.latencies.push(Math.max(0, event.atMs - event.createdAtMs))
    }
  }

  /** The figures of the window that ends now. */
  snapshot(): StatsSnapshot {
    const nowMs = this.#clock.now()
    const current = Math.floor(nowMs / 1000)
    const series: StatsPoint[] = []
    const latencies: number[] = []
    let finished = 0
    let errors = 0
    for (let second = current - this.#windowSeconds + 1; second <= current; second++) {
      const bucket = this.#buckets[this.#slot(second)]
      const live = bucket?.second === second ? bucket : undefined
      const sorted = live ? [...live.latencies].sort((a, b) => a - b) : []
      series.push({
        atMs: second * 1000,
        finished: live?.finished ?? 0,
        errors: live?.errors ?? 0,
        p95LatencyMs: quantile(sorted, 0.95),
      })
      finished += live?.finished ?? 0
      errors += live?.errors ?? 0
      latencies.push(...sorted)
    }
    latencies.sort((a, b) => a - b)
    return {
      atMs: nowMs,
      windowMs: this.#windowSeconds * 1000,
      tasksPerSecond: finished / this.#windowSeconds,
      finished,
      errors,
      errorRate: finished === 0 ? null : errors / finished,
      latencyMs: {
        p50: quantile(latencies, 0.5),
        p95: quantile(latencies, 0.95),
        p99: quantile(latencies, 0.99),
      },
      inFlight: this.#open.size,
      series,
    }
  }

  #slot(second: number): number {
    return ((second % this.#windowSeconds) + this.#windowSeconds) % this.#windowSeconds
  }

  #bucket(second: number): Bucket {
    const slot = this.#slot(second)
    const existing = this.#buckets[slot]
    if (existing?.second === second) return existing
    const fresh: Bucket = { second, finished: 0, errors: 0, latencies: [] }
    this.#buckets[slot] = fresh
    return fresh
  }
}
