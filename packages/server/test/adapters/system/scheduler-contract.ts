import { describe, it } from 'vitest'
import type { Scheduler } from '../../../src/core/ports/scheduler.js'

/** A scheduler under test and how to let time pass for it (real time, or a manual clock). */
export interface SchedulerHarness {
  scheduler: Scheduler
  /** Lets `ms` pass and the jobs due in it run. */
  advance: (ms: number) => Promise<void>
}

/** One promise of the `Scheduler` port: `run` resolves when the scheduler keeps it, throws if not. */
export interface SchedulerCheck {
  name: string
  run(open: () => SchedulerHarness): Promise<void>
}

const INTERVAL_MS = 40

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(what)
}

export const schedulerChecks: SchedulerCheck[] = [
  {
    name: 'runs a job again at each interval',
    async run(open) {
      const { scheduler, advance } = open()
      let runs = 0
      scheduler.every('count', INTERVAL_MS, () => void runs++)
      await advance(INTERVAL_MS * 4 + INTERVAL_MS / 2)
      scheduler.stop()
      expect(runs >= 2, `ran ${runs} times in four intervals`)
    },
  },
  {
    name: 'stops a job whose handle is stopped, and only that one',
    async run(open) {
      const { scheduler, advance } = open()
      let stopped = 0
      let kept = 0
      scheduler.every('stopped', INTERVAL_MS, () => void stopped++).stop()
      scheduler.every('kept', INTERVAL_MS, () => void kept++)
      await advance(INTERVAL_MS * 3)
      scheduler.stop()
      expect(stopped === 0, `the stopped job ran ${stopped} times`)
      expect(kept > 0, 'the other job never ran')
    },
  },
  {
    name: 'runs no job after stop()',
    async run(open) {
      const { scheduler, advance } = open()
      let runs = 0
      scheduler.every('a', INTERVAL_MS, () => void runs++)
      scheduler.every('b', INTERVAL_MS, () => void runs++)
      scheduler.stop()
      await advance(INTERVAL_MS * 3)
      expect(runs === 0, `jobs ran ${runs} times after stop()`)
    },
  },
  {
    name: 'never overlaps two runs of one job',
    async run(open) {
      const { scheduler, advance } = open()
      let running = 0
      let most = 0
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => (release = resolve))
      scheduler.every('slow', INTERVAL_MS, async () => {
        most = Math.max(most, ++running)
        await gate
        running--
      })
      await advance(INTERVAL_MS * 4)
      release()
      scheduler.stop()
      expect(most === 1, `${most} runs of one job overlapped`)
    },
  },
  {
    name: 'keeps a job on its schedule after a run throws',
    async run(open) {
      const { scheduler, advance } = open()
      let runs = 0
      scheduler.every('fails', INTERVAL_MS, () => {
        runs++
        throw new Error('job failed')
      })
      await advance(INTERVAL_MS * 4 + INTERVAL_MS / 2)
      scheduler.stop()
      expect(runs >= 2, `a failing job ran ${runs} times in four intervals`)
    },
  },
]

/** Runs every check on schedulers from `open`. */
export function schedulerContract(name: string, open: () => SchedulerHarness): void {
  describe(`Scheduler contract: ${name}`, () => {
    for (const check of schedulerChecks) it(check.name, () => check.run(open))
  })
}
