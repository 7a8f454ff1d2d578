import { describe, expect, it } from 'vitest'
import { TimerScheduler } from '../../../src/adapters/system/timer-scheduler.js'
import type { ScheduledJob, Scheduler } from '../../../src/core/ports/scheduler.js'
import { ManualScheduler } from '../../helpers/manual-scheduler.js'
import { schedulerChecks, schedulerContract, type SchedulerHarness } from './scheduler-contract.js'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/** Real timers: time passes for real (the scheduler under test is the timer). */
const real = (): SchedulerHarness => ({
  scheduler: new TimerScheduler(quiet),
  advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
})

/** The manual scheduler, ticked in small steps (a run still going does not hold time back). */
function manual(scheduler: Scheduler & { tick(ms: number): Promise<void> }): SchedulerHarness {
  return {
    scheduler,
    advance: async (ms) => {
      for (let passed = 0; passed < ms; passed += 5) {
        await Promise.race([scheduler.tick(5), new Promise((resolve) => setImmediate(resolve))])
      }
    },
  }
}

schedulerContract('timers', real)
schedulerContract('manual', () => manual(new ManualScheduler()))

type Flaw = 'overlaps' | 'ignores-stop' | 'ignores-handle-stop' | 'drops-a-failing-job'

/** A scheduler with one deliberate flaw, to show the contract catches it. */
class FlawedScheduler implements Scheduler {
  nowMs = 0
  readonly #jobs = new Set<{ due: number; interval: number; fn: () => unknown }>()
  constructor(readonly flaw: Flaw) {}

  every(_name: string, intervalMs: number, fn: () => void | Promise<void>): ScheduledJob {
    const job = { due: this.nowMs + intervalMs, interval: intervalMs, fn }
    this.#jobs.add(job)
    return { stop: () => this.flaw === 'ignores-handle-stop' || this.#jobs.delete(job) }
  }

  stop(): void {
    if (this.flaw !== 'ignores-stop') this.#jobs.clear()
  }

  async tick(ms: number): Promise<void> {
    this.nowMs += ms
    for (const job of [...this.#jobs]) {
      if (job.due > this.nowMs) continue
      job.due = this.nowMs + job.interval
      // Not awaited: each run is left to overlap the next unless the flaw is elsewhere.
      const run = Promise.resolve()
        .then(() => job.fn())
        .catch(() => {
          if (this.flaw === 'drops-a-failing-job') this.#jobs.delete(job)
        })
      if (this.flaw !== 'overlaps') await run
    }
  }
}

describe('the Scheduler contract catches broken implementations', () => {
  const cases: [Flaw, string][] = [
    ['overlaps', 'never overlaps'],
    ['ignores-stop', 'runs no job after stop()'],
    ['ignores-handle-stop', 'stops a job whose handle'],
    ['drops-a-failing-job', 'keeps a job on its schedule'],
  ]
  for (const [flaw, name] of cases) {
    it(`fails a scheduler that ${flaw.replaceAll('-', ' ')}`, async () => {
      const check = schedulerChecks.find((c) => c.name.startsWith(name))!
      await expect(check.run(() => manual(new FlawedScheduler(flaw)))).rejects.toThrow()
    })
  }
})
