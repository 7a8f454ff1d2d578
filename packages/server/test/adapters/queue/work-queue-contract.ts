import { deepStrictEqual as sameAs } from 'node:assert/strict'
import { describe, it } from 'vitest'
import type { WorkQueue } from '../../../src/core/ports/work-queue.js'

/** A queue under test, the visibility timeout it was opened with, and how to let time pass. */
export interface WorkQueueHarness {
  queue: WorkQueue<string>
  visibilityTimeoutMs: number
  advance: (ms: number) => void
}

/** One promise of the `WorkQueue` port. */
export interface WorkQueueCheck {
  name: string
  run(open: () => WorkQueueHarness): Promise<void>
}

export const workQueueChecks: WorkQueueCheck[] = [
  {
    name: 'delivers what was enqueued, in order, once until settled',
    async run(open) {
      const { queue } = open()
      await queue.enqueue('1', 'one')
      await queue.enqueue('2', 'two')
      const first = await queue.receive(10)
      sameAs(
        first.map((d) => [d.id, d.payload, d.deliveries]),
        [
          ['1', 'one', 1],
          ['2', 'two', 1],
        ],
      )
      sameAs(await queue.receive(10), [])
    },
  },
  {
    name: 'delivers at most `max` at a time',
    async run(open) {
      const { queue } = open()
      for (const id of ['1', '2', '3']) await queue.enqueue(id, id)
      sameAs((await queue.receive(2)).length, 2)
      sameAs(
        (await queue.receive(2)).map((d) => d.id),
        ['3'],
      )
    },
  },
  {
    name: 'does not deliver an acknowledged message again',
    async run(open) {
      const { queue, advance, visibilityTimeoutMs } = open()
      await queue.enqueue('1', 'one')
      for (const delivery of await queue.receive(1)) delivery.ack()
      advance(visibilityTimeoutMs * 2)
      sameAs(await queue.receive(10), [])
    },
  },
  {
    name: 'redelivers a naked message after its delay',
    async run(open) {
      const { queue, advance } = open()
      await queue.enqueue('1', 'one')
      for (const delivery of await queue.receive(1)) delivery.nak(100)
      sameAs(await queue.receive(1), [])
      advance(100)
      const again = await queue.receive(1)
      sameAs(
        again.map((d) => [d.id, d.deliveries]),
        [['1', 2]],
      )
    },
  },
  {
    name: 'redelivers a message left unsettled past the visibility timeout',
    async run(open) {
      const { queue, advance, visibilityTimeoutMs } = open()
      await queue.enqueue('1', 'one')
      const [first] = await queue.receive(1)
      advance(visibilityTimeoutMs - 1)
      sameAs(await queue.receive(1), [])
      advance(1)
      const [again] = await queue.receive(1)
      sameAs([again?.id, again?.deliveries], ['1', 2])
      // The late settle of the first delivery does not take the message from its new holder.
      first!.ack()
      again!.nak()
      sameAs(
        (await queue.receive(1)).map((d) => d.deliveries),
        [3],
      )
    },
  },
  {
    name: 'enqueues an id only once while it is queued or in flight',
    async run(open) {
      const { queue } = open()
      sameAs(await queue.enqueue('1', 'one'), true)
      sameAs(await queue.enqueue('1', 'again'), false)
      const [delivery] = await queue.receive(1)
      sameAs(await queue.enqueue('1', 'in flight'), false)
      delivery!.ack()
      sameAs(await queue.enqueue('1', 'after'), true)
      sameAs(
        (await queue.receive(5)).map((d) => d.payload),
        ['after'],
      )
    },
  },
]

/** Runs every check on queues from `open`, each on a fresh queue. */
export function workQueueContract(name: string, open: () => WorkQueueHarness): void {
  describe(`WorkQueue contract: ${name}`, () => {
    for (const check of workQueueChecks) it(check.name, () => check.run(open))
  })
}
