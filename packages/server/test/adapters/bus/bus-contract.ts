import { deepStrictEqual as sameAs } from 'node:assert/strict'
import { describe, it } from 'vitest'
import type { Bus, BusMessage } from '../../../src/core/ports/bus.js'

/** Opens a fresh bus; buses it opens may share a backend (a NATS server), or not (in-process). */
export type OpenBus = () => Promise<Bus>

/** One promise of the `Bus` port: `run` resolves when buses from `open` keep it, throws if not. */
export interface BusCheck {
  name: string
  run(open: OpenBus): Promise<void>
}

/** How long a check waits for a message it is owed before it calls the bus broken. */
const OWED_MS = 2_000
const MARK = '__contract_flush'
const isMark = (body: unknown) => typeof body === 'object' && body !== null && MARK in body

/** Messages one handler received (flush marks left out), with a wait for the n-th. */
class Inbox {
  readonly messages: BusMessage[] = []
  #waiters: { count: number; resolve: () => void }[] = []

  readonly handler = (message: BusMessage): void => {
    if (isMark(message.body)) return
    this.messages.push(message)
    this.#waiters = this.#waiters.filter((w) => (w.count <= this.messages.length ? w.resolve() : 1))
  }

  get bodies(): unknown[] {
    return this.messages.map((m) => m.body)
  }

  /** Resolves once `count` messages arrived; rejects when they are still owed after OWED_MS. */
  until(count: number, what: string): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what}: ${this.messages.length} of ${count} messages arrived`)),
        OWED_MS,
      )
      this.#waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) })
    })
  }
}

let marks = 0

/**
 * A barrier: publishes a mark on `topic` and waits until a fresh subscriber receives it. Whatever
 * the bus was going to deliver on that topic before the mark has been delivered by then.
 */
async function flush(bus: Bus, topic: string): Promise<void> {
  const probe = new Inbox()
  const mark = ++marks
  let seen: () => void = () => {}
  const arrived = new Promise<void>((resolve) => (seen = resolve))
  const off = bus.subscribe(topic, (m) => {
    if (isMark(m.body) && (m.body as Record<string, unknown>)[MARK] === mark) seen()
    probe.handler(m)
  })
  try {
    await bus.publish(topic, { [MARK]: mark })
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      arrived,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Flush mark on "${topic}" never arrived`)),
          OWED_MS,
        )
      }),
    ]).finally(() => clearTimeout(timer))
  } finally {
    off()
  }
}

async function withBus(open: OpenBus, use: (bus: Bus) => Promise<void>): Promise<void> {
  const bus = await open()
  try {
    await use(bus)
  } finally {
    await bus.stop()
  }
}

/** Every promise of the `Bus` port, each a check that any implementation must pass. */
export const busChecks: readonly BusCheck[] = [
  {
    name: 'delivers a message to every subscriber of its topic, body as JSON',
    run: (open) =>
      withBus(open, async (bus) => {
        const a = new Inbox()
        const b = new Inbox()
        bus.subscribe('t.one', a.handler)
        bus.subscribe('t.one', b.handler)
        const body = { n: 1, list: ['x', null], nested: { ok: true } }
        await bus.publish('t.one', body)
        await Promise.all([a.until(1, 'first subscriber'), b.until(1, 'second subscriber')])
        sameAs(a.messages, [{ topic: 't.one', body }])
        sameAs(b.messages, [{ topic: 't.one', body }])
      }),
  },
  {
    name: 'keeps topics apart: a subscription gets its exact topic, not a prefix or an extension',
    run: (open) =>
      withBus(open, async (bus) => {
        const topics = ['a', 'a.b', 'a.b.c', 'a.bc', 'b.a.b'] as const
        const inboxes = topics.map((topic) => {
          const inbox = new Inbox()
          bus.subscribe(topic, inbox.handler)
          return inbox
        })
        for (const topic of topics) await bus.publish(topic, topic)
        for (const topic of topics) await flush(bus, topic)
        topics.forEach((topic, i) =>
          sameAs(inboxes[i]!.messages, [{ topic, body: topic }], `subscriber of ${topic}`),
        )
      }),
  },
  {
    name: 'delivers in the order one publisher made its publish calls, per topic',
    run: (open) =>
      withBus(open, async (bus) => {
        const one = new Inbox()
        const two = new Inbox()
        bus.subscribe('order.one', one.handler)
        bus.subscribe('order.two', two.handler)
        const calls: Promise<void>[] = []
        // Not awaited in between: the order of the calls is the order promised.
        for (let n = 0; n < 50; n++) calls.push(bus.publish(n % 3 ? 'order.one' : 'order.two', n))
        await Promise.all(calls)
        for (let n = 50; n < 60; n++) await bus.publish('order.one', n)
        await Promise.all([one.until(43, 'order.one'), two.until(17, 'order.two')])
        const sent = Array.from({ length: 60 }, (_, n) => n)
        sameAs(
          one.bodies,
          sent.filter((n) => n >= 50 || n % 3 !== 0),
        )
        sameAs(
          two.bodies,
          sent.filter((n) => n < 50 && n % 3 === 0),
        )
      }),
  },
  {
    name: 'never runs a handler inside the publish call',
    run: (open) =>
      withBus(open, async (bus) => {
        let publishing = false
        const inside: unknown[] = []
        const inbox = new Inbox()
        bus.subscribe('async', (m) => {
          if (publishing) inside.push(m.body)
          inbox.handler(m)
        })
        for (let n = 0; n < 3; n++) {
          publishing = true
          const done = bus.publish('async', n)
          publishing = false
          await done
        }
        await inbox.until(3, 'async')
        sameAs(inside, [], 'handler ran while publish had not returned')
      }),
  },
  {
    name: 'stops delivering once unsubscribed, even messages published before, and only to it',
    run: (open) =>
      withBus(open, async (bus) => {
        const late: unknown[] = []
        const kept = new Inbox()
        let unsubscribed = false
        const off = bus.subscribe('unsub', (m) => {
          if (unsubscribed && !isMark(m.body)) late.push(m.body)
        })
        bus.subscribe('unsub', kept.handler)
        // Published, maybe not yet delivered, when unsubscribe is called.
        const inFlight = [bus.publish('unsub', 1), bus.publish('unsub', 2)]
        off()
        unsubscribed = true
        off() // a second call is harmless: the other subscription stays
        await Promise.all(inFlight)
        await bus.publish('unsub', 3)
        await flush(bus, 'unsub')
        await kept.until(3, 'the subscriber that stayed')
        sameAs(kept.bodies, [1, 2, 3])
        sameAs(late, [], 'delivered after unsubscribe')
      }),
  },
  {
    name: 'keeps delivering to the others, and to the thrower, when a handler throws',
    run: (open) =>
      withBus(open, async (bus) => {
        const thrower = new Inbox()
        const other = new Inbox()
        bus.subscribe('throw', (m) => {
          thrower.handler(m)
          throw new Error('boom')
        })
        bus.subscribe('throw', other.handler)
        for (const n of [1, 2, 3]) await bus.publish('throw', n)
        await Promise.all([thrower.until(3, 'throwing handler'), other.until(3, 'other handler')])
        sameAs(other.bodies, [1, 2, 3])
      }),
  },
  {
    name: 'leaves nothing subscribed once stop() resolves, and may be stopped twice',
    run: async (open) => {
      const bus = await open()
      const after: unknown[] = []
      let stopped = false
      for (const topic of ['stop.a', 'stop.b']) {
        bus.subscribe(topic, (m) => {
          if (stopped && !isMark(m.body)) after.push(m.body)
        })
      }
      const inFlight = [bus.publish('stop.a', 1), bus.publish('stop.b', 2)]
      await Promise.all(inFlight)
      await bus.stop()
      stopped = true
      await bus.stop()
      // Publishing on a stopped bus may fail; it must not reach the old subscriptions either.
      await bus.publish('stop.a', 3).catch(() => {})
      // A second bus from the same factory: on a shared backend it would reach leftover
      // subscriptions; its flush also lets anything still queued come out.
      await withBus(open, async (other) => {
        await other.publish('stop.b', 4)
        await flush(other, 'stop.a')
        await flush(other, 'stop.b')
      })
      sameAs(after, [], 'delivered after stop')
    },
  },
]

/** Registers every check of the `Bus` contract as a test, run on buses from `open`. */
export function busContract(name: string, open: OpenBus): void {
  describe(`Bus contract: ${name}`, () => {
    for (const check of busChecks) it(check.name, () => check.run(open))
  })
}
