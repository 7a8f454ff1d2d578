import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { SharedRateCounts } from '../../../src/adapters/cluster/shared-rate-counts.js'

const WINDOW_MS = 60_000
/** Lets the in-process bus deliver what was published. */
const delivered = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('SharedRateCounts', () => {
  let bus: MemoryBus
  const clock = { nowMs: 100 * WINDOW_MS + 1000, now: () => clock.nowMs }
  const node = (nodeId: string) => {
    const counts = new SharedRateCounts({ bus, clock, nodeId }, { windowMs: WINDOW_MS })
    counts.start()
    return counts
  }

  beforeEach(() => {
    bus = new MemoryBus()
    clock.nowMs = 100 * WINDOW_MS + 1000
  })
  afterEach(() => bus.stop())

  it('adds the counts other nodes reported to this node’s own', async () => {
    const [a, b] = [node('a'), node('b')]
    for (let i = 0; i < 5; i++) a.incr('principal:x')
    expect(b.incr('principal:x')).toEqual({ current: 1, ttl: WINDOW_MS - 1000 })
    await a.flush()
    await delivered()
    expect(b.incr('principal:x').current).toBe(5 + 2)
    expect(b.incr('principal:y').current).toBe(1) // another key counts alone
    await b.flush()
    await delivered()
    expect(a.incr('principal:x').current).toBe(6 + 2)
  })

  it('keeps the latest count a node reported, not the sum of its messages', async () => {
    const [a, b] = [node('a'), node('b')]
    a.incr('k')
    await a.flush()
    a.incr('k')
    await a.flush()
    await a.flush() // nothing changed: nothing sent
    await delivered()
    expect(b.incr('k').current).toBe(3)
  })

  it('starts every window from nothing, on every node alike', async () => {
    const [a, b] = [node('a'), node('b')]
    a.incr('k')
    await a.flush()
    await delivered()
    clock.nowMs = 101 * WINDOW_MS
    expect(b.incr('k')).toEqual({ current: 1, ttl: WINDOW_MS })
    expect(a.incr('k').current).toBe(1)
  })

  it('ignores counts of another window, its own echo and malformed messages', async () => {
    const a = node('a')
    for (const body of [
      { node: 'b', window: 99, counts: { k: 50 } },
      { node: 'a', window: 100, counts: { k: 50 } },
      { node: 'b', window: 100, counts: { k: -3, j: 1.5 } },
      { node: 'b', window: 100, counts: ['k'] },
      { node: 'b', counts: { k: 50 } },
      null,
    ])
      await bus.publish('ratelimit.counts', body)
    await delivered()
    expect(a.incr('k').current).toBe(1)
    expect(a.incr('j').current).toBe(1)
  })

  it('hears nothing once stopped', async () => {
    const [a, b] = [node('a'), node('b')]
    b.stop()
    a.incr('k')
    await a.flush()
    await delivered()
    expect(b.incr('k').current).toBe(1)
  })

  it('forgets the key counted longest ago when it holds too many', () => {
    const counts = new SharedRateCounts(
      { bus, clock, nodeId: 'a' },
      { windowMs: WINDOW_MS, maxKeys: 2 },
    )
    counts.incr('old')
    counts.incr('recent')
    counts.incr('old') // used again: now the recent one is the oldest
    counts.incr('new')
    expect(counts.incr('old').current).toBe(3)
    expect(counts.incr('recent').current).toBe(1)
  })
})
