import { describe, expect, it } from 'vitest'
import { MemoryWorkQueue } from '../../../src/adapters/queue/memory-work-queue.js'
import type { WorkDelivery, WorkQueue } from '../../../src/core/ports/work-queue.js'
import { ManualClock } from '../../helpers/ledger.js'
import { workQueueChecks, workQueueContract, type WorkQueueHarness } from './work-queue-contract.js'

const VISIBILITY_MS = 1000

function memory(): WorkQueueHarness {
  const clock = new ManualClock()
  return {
    queue: new MemoryWorkQueue<string>(clock, { visibilityTimeoutMs: VISIBILITY_MS }),
    visibilityTimeoutMs: VISIBILITY_MS,
    advance: (ms) => clock.advance(ms),
  }
}

workQueueContract('in memory', memory)

type Flaw = 'no-dedupe' | 'never-redelivers' | 'acks-on-receive'

/** A work queue with one deliberate flaw. */
class FlawedWorkQueue implements WorkQueue<string> {
  readonly #messages: { id: string; payload: string; deliveries: number; out: boolean }[] = []
  constructor(readonly flaw: Flaw) {}
  enqueue(id: string, payload: string) {
    if (this.flaw !== 'no-dedupe' && this.#messages.some((m) => m.id === id)) {
      return Promise.resolve(false)
    }
    this.#messages.push({ id, payload, deliveries: 0, out: false })
    return Promise.resolve(true)
  }
  receive(max: number) {
    const due = this.#messages.filter((m) => !m.out).slice(0, max)
    return Promise.resolve(
      due.map((m): WorkDelivery<string> => {
        m.out = true
        m.deliveries++
        const drop = () => this.#messages.splice(this.#messages.indexOf(m), 1)
        if (this.flaw === 'acks-on-receive') drop()
        return {
          id: m.id,
          payload: m.payload,
          deliveries: m.deliveries,
          ack: () => void (this.#messages.includes(m) && drop()),
          nak: () => void (this.flaw === 'never-redelivers' || (m.out = false)),
        }
      }),
    )
  }
}

describe('the WorkQueue contract catches broken implementations', () => {
  const cases: [Flaw, string][] = [
    ['no-dedupe', 'enqueues an id only once'],
    ['never-redelivers', 'redelivers a naked message'],
    ['acks-on-receive', 'redelivers a message left unsettled'],
  ]
  for (const [flaw, name] of cases) {
    it(`fails a queue that ${flaw.replaceAll('-', ' ')}`, async () => {
      const check = workQueueChecks.find((c) => c.name.startsWith(name))!
      const open = () => ({ ...memory(), queue: new FlawedWorkQueue(flaw) })
      await expect(check.run(open)).rejects.toThrow()
    })
  }
})
