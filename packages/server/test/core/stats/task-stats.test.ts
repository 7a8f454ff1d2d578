import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { quantile, TaskStats } from '../../../src/core/stats/task-stats.js'
import { TASK_EVENTS, type TaskEvent } from '../../../src/core/tasks/task-runner.js'
import type { TaskState } from '../../../src/core/tasks/task-types.js'

class ManualClock {
  constructor(public nowMs: number) {}
  now(): number {
    return this.nowMs
  }
}

const START = 1_700_000_000_000

function event(taskId: string, state: TaskState, atMs: number, latencyMs = 0): TaskEvent {
  return {
    taskId,
    capabilityId: 'text.echo',
    requester: 'did:key:zRequester',
    providerId: 'did:key:zProvider',
    state,
    atMs,
    createdAtMs: atMs - latencyMs,
    paidMicros: '0',
    currency: 'USD',
  }
}

function setup(options: { maxSamplesPerSecond?: number } = {}) {
  const clock = new ManualClock(START)
  const bus = new MemoryBus()
  const stats = new TaskStats({ bus, clock }, { windowMs: 60_000, ...options })
  return { clock, bus, stats }
}

describe('task stats', () => {
  it('answers zeros and nulls before any task', () => {
    const { stats } = setup()
    const snapshot = stats.snapshot()
    expect(snapshot).toMatchObject({
      tasksPerSecond: 0,
      finished: 0,
      errorRate: null,
      latencyMs: { p50: null, p95: null, p99: null },
      inFlight: 0,
    })
    expect(snapshot.series).toHaveLength(60)
  })

  it('counts finished tasks per second, errors and latency percentiles over the window', () => {
    const { stats } = setup()
    for (let i = 1; i <= 100; i++) stats.record(event(`t${i}`, 'completed', START - i * 10, i))
    stats.record(event('f1', 'failed', START, 500))
    stats.record(event('f2', 'timed_out', START, 600))
    stats.record(event('c1', 'canceled', START, 5))
    const snapshot = stats.snapshot()
    expect(snapshot.finished).toBe(103)
    expect(snapshot.errors).toBe(2)
    expect(snapshot.errorRate).toBeCloseTo(2 / 103)
    expect(snapshot.tasksPerSecond).toBeCloseTo(103 / 60)
    // 102 latencies: 1..100, 500, 600 (a canceled task has none).
    expect(snapshot.latencyMs).toEqual({ p50: 51, p95: 97, p99: 500 })
    expect(snapshot.series.reduce((sum, point) => sum + point.finished, 0)).toBe(103)
  })

  it('forgets what falls out of the window', () => {
    const { clock, stats } = setup()
    stats.record(event('old', 'completed', START, 10))
    clock.nowMs = START + 30_000
    stats.record(event('new', 'failed', START + 30_000, 20))
    expect(stats.snapshot()).toMatchObject({ finished: 2, errors: 1 })
    clock.nowMs = START + 61_000
    expect(stats.snapshot()).toMatchObject({ finished: 1, errors: 1, latencyMs: { p50: 20 } })
    clock.nowMs = START + 200_000
    stats.record(event('ancient', 'completed', START, 10))
    expect(stats.snapshot()).toMatchObject({ finished: 0, errorRate: null })
  })

  it('keeps counts exact when it caps the latency samples of a busy second', () => {
    const { stats } = setup({ maxSamplesPerSecond: 10 })
    for (let i = 0; i < 50; i++) stats.record(event(`t${i}`, 'completed', START, 5))
    const snapshot = stats.snapshot()
    expect(snapshot.finished).toBe(50)
    expect(snapshot.latencyMs.p99).toBe(5)
  })

  it('tracks tasks in flight from the bus until they finish, and stops listening on stop', async () => {
    const { bus, stats } = setup()
    stats.start()
    await bus.publish(TASK_EVENTS, event('a', 'pending', START))
    await bus.publish(TASK_EVENTS, event('b', 'running', START))
    await Promise.resolve()
    expect(stats.snapshot().inFlight).toBe(2)
    await bus.publish(TASK_EVENTS, event('a', 'completed', START, 40))
    await Promise.resolve()
    expect(stats.snapshot()).toMatchObject({ inFlight: 1, finished: 1 })
    stats.stop()
    await bus.publish(TASK_EVENTS, event('b', 'completed', START, 40))
    await Promise.resolve()
    expect(stats.snapshot()).toMatchObject({ inFlight: 1, finished: 1 })
  })

  it('takes the nearest-rank quantile', () => {
    expect(quantile([], 0.5)).toBeNull()
    expect(quantile([7], 0.99)).toBe(7)
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2)
    expect(quantile([1, 2, 3, 4], 1)).toBe(4)
  })
})
