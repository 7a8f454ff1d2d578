import type { Logger } from '../../core/ports/logger.js'
import type { ScheduledJob, Scheduler } from '../../core/ports/scheduler.js'

/**
 * The scheduler on real timers. Timers are unref'd (a job never keeps the process alive), a run
 * still going when its next turn comes skips that turn, and a failed run is logged.
 */
export class TimerScheduler implements Scheduler {
  readonly #logger: Logger
  readonly #jobs = new Set<ScheduledJob>()

  constructor(logger: Logger) {
    this.#logger = logger
  }

  every(name: string, intervalMs: number, fn: () => void | Promise<void>): ScheduledJob {
    let running = false
    const run = async () => {
      if (running) return
      running = true
      try {
        await fn()
      } catch (error) {
        this.#logger.error({ err: error, job: name }, `${name} failed`)
      } finally {
        running = false
      }
    }
    const timer = setInterval(() => void run(), intervalMs)
    timer.unref()
    const job: ScheduledJob = {
      stop: () => {
        clearInterval(timer)
        this.#jobs.delete(job)
      },
    }
    this.#jobs.add(job)
    return job
  }

  stop(): void {
    for (const job of [...this.#jobs]) job.stop()
  }
}
