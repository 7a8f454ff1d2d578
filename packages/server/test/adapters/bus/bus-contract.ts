import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Bus, BusMessage } from '../../../src/core/ports/bus.js'

/** Waits until `count` messages have arrived in `received`. */
export function waitFor(received: BusMessage[], count: number): Promise<BusMessage[]> {
  return new Promise((resolve) => {
    const check = () => (received.length >= count ? resolve(received) : setImmediate(check))
    check()
  })
}

/** The behaviour every Bus implementation must have. */
export function busContract(name: string, open: () => Promise<Bus>): void {
  describe(`Bus contract: ${name}`, () => {
    let bus: Bus
    beforeEach(async () => {
      bus = await open()
    })
    afterEach(() => bus.stop())

    it('delivers a message to every subscriber of its topic, and only those', async () => {
      const a: BusMessage[] = []
      const b: BusMessage[] = []
      const other: BusMessage[] = []
      bus.subscribe('t.one', (m) => a.push(m))
      bus.subscribe('t.one', (m) => b.push(m))
      bus.subscribe('t.two', (m) => other.push(m))
      await bus.publish('t.one', { n: 1 })
      await waitFor(a, 1)
      await waitFor(b, 1)
      expect(a).toEqual([{ topic: 't.one', body: { n: 1 } }])
      expect(other).toEqual([])
    })

    it('stops delivering after unsubscribe, keeping order before it', async () => {
      const got: BusMessage[] = []
      const unsubscribe = bus.subscribe('t', (m) => got.push(m))
      for (let n = 0; n < 5; n++) await bus.publish('t', n)
      await waitFor(got, 5)
      unsubscribe()
      await bus.publish('t', 99)
      await bus.publish('t', 100)
      expect(got.map((m) => m.body)).toEqual([0, 1, 2, 3, 4])
    })

    it('keeps delivering to others when one handler throws', async () => {
      const got: BusMessage[] = []
      bus.subscribe('t', () => {
        throw new Error('boom')
      })
      bus.subscribe('t', (m) => got.push(m))
      await bus.publish('t', 'x')
      await waitFor(got, 1)
      expect(got).toHaveLength(1)
    })
  })
}
