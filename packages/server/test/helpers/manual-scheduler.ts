import type { ScheduledJob, Scheduler } from '../../src/core/ports/scheduler.js'

interface Job {
  name: string
  intervalMs: number
  fn: () => void | Promise<void>
  dueAtMs: number
  running: boolean
}

/**
 * A scheduler a test drives: time moves only with `tick(ms)`, and `runDue()` runs the jobs due
 * now, awaiting them. Like the real one, a job never overlaps itself and a failed run is kept in
 * `failures` instead of stopping the job.
 */
export class ManualScheduler implements Scheduler {
  nowMs = 0
  readonly failures: { job: string; error: unknown }[] = []
  readonly #jobs = new Set<Job>()

  every(name: string, intervalMs: number, fn: () => void | Promise<void>): ScheduledJob {
    const job: Job = { name, intervalMs, fn, dueAtMs: this.nowMs + intervalMs, running: false }
    this.#jobs.add(job)
    return { stop: () => this.#jobs.delete(job) }
  }

  /** The names of the jobs scheduled now. */
  get jobs(): string[] {
    return [...this.#jobs].map((job) => job.name)
  }

  /** Runs every job due now (once each, whatever turns it missed) and waits for them. */
  async runDue(): Promise<void> {
    const due = [...this.#jobs].filter((job) => job.dueAtMs <= this.nowMs && !job.running)
    await Promise.all(due.map((job) => this.#run(job)))
  }

  /** Moves time on by `ms`, then runs the jobs due. */
  async tick(ms: number): Promise<void> {
    this.nowMs += ms
    await this.runDue()
  }

  /** Runs the named job now, whether due or not. */
  async run(name: string): Promise<void> {
    await Promise.all([...this.#jobs].filter((j) => j.name === name).map((j) => this.#run(j)))
  }

  stop(): void {
    this.#jobs.clear()
  }

  async #run(job: Job): Promise<void> {
    if (job.running) return
    job.running = true
    job.dueAtMs = this.nowMs + job.intervalMs
    try {
      await job.fn()
    } catch (error) {
      this.failures.push({ job: job.name, error })
    } finally {
      job.running = false
    }
  }
}
