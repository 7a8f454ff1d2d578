import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { nextOnline } from '../../../src/core/tasks/provider-wait.js'
import { REGISTRY_CHANGED } from '../../../src/core/registry/registry-service.js'

/** Timers a test fires by hand. */
function manualTimers() {
  const due: { fn: () => void; ms: number }[] = []
  return {
    due,
    setTimeout(fn: () => void, ms: number) {
      const entry = { fn, ms }
      due.push(entry)
      return () => void due.splice(due.indexOf(entry), 1)
    },
  }
}

/** Whether the promise has settled once pending microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false
  void promise.then(() => (done = true))
  for (let i = 0; i < 5; i++) await Promise.resolve()
  return done
}

describe('waiting for a provider to come online', () => {
  it('ends on an online event, not on other registry events, and leaves no timer behind', async () => {
    const bus = new MemoryBus()
    const timers = manualTimers()
    const wait = nextOnline({ bus, timers }, 10_000, new AbortController().signal)
    await bus.publish(REGISTRY_CHANGED, { type: 'updated', agentId: 'a' })
    expect(await settled(wait)).toBe(false)
    await bus.publish(REGISTRY_CHANGED, { type: 'online', agentId: 'a' })
    expect(await settled(wait)).toBe(true)
    expect(timers.due).toEqual([])
  })

  it('ends when its time is up or any of its signals aborts', async () => {
    const bus = new MemoryBus()
    const timers = manualTimers()
    const timed = nextOnline({ bus, timers }, 5000, new AbortController().signal)
    expect(timers.due.map((t) => t.ms)).toEqual([5000])
    timers.due[0]!.fn()
    expect(await settled(timed)).toBe(true)

    const first = new AbortController()
    const second = new AbortController()
    const aborted = nextOnline({ bus, timers }, 5000, first.signal, second.signal)
    second.abort()
    expect(await settled(aborted)).toBe(true)
    expect(timers.due).toEqual([])
    const already = nextOnline({ bus, timers }, 5000, second.signal)
    expect(await settled(already)).toBe(true)
  })
})
