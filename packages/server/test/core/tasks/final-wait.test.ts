import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { finalElsewhere } from '../../../src/core/tasks/final-wait.js'
import { taskTopic } from '../../../src/core/tasks/task-events.js'
import type { TaskStore } from '../../../src/core/tasks/task-store.js'
import type { Task } from '../../../src/core/tasks/task-types.js'

/** Timers a test fires by hand. */
function manualTimers() {
  const due: (() => void)[] = []
  return {
    due,
    setTimeout(fn: () => void) {
      due.push(fn)
      return () => void due.splice(due.indexOf(fn), 1)
    },
  }
}

/** A store holding one task, whose state the test sets. */
function oneTask(state: string) {
  const task = { id: 'task_1', state } as Task
  const tasks = { get: (id: string) => Promise.resolve(id === task.id ? task : undefined) }
  return { task, tasks: tasks as unknown as TaskStore }
}

describe('waiting for a task another node took over', () => {
  it('answers it once its final state arrives on the bus, not on other events', async () => {
    const bus = new MemoryBus()
    const timers = manualTimers()
    const { task, tasks } = oneTask('running')
    let answered: Task | undefined
    const waiting = finalElsewhere({ tasks, bus, timers }, 'task_1', 60_000).then(
      (t) => (answered = t),
    )
    await new Promise((resolve) => setImmediate(resolve))
    await bus.publish(taskTopic('task_1'), { type: 'progress', message: 'half way' })
    await bus.publish(taskTopic('task_1'), { type: 'state', state: 'running' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(answered).toBeUndefined()
    task.state = 'completed'
    await bus.publish(taskTopic('task_1'), { type: 'state', state: 'completed' })
    await waiting
    expect(answered?.state).toBe('completed')
    expect(timers.due).toHaveLength(0)
  })

  it('answers a task final already at once, and one still running as it is after the wait', async () => {
    const bus = new MemoryBus()
    const timers = manualTimers()
    const done = oneTask('failed')
    expect(
      (await finalElsewhere({ tasks: done.tasks, bus, timers }, 'task_1', 60_000))?.state,
    ).toBe('failed')
    const running = oneTask('running')
    const waiting = finalElsewhere({ tasks: running.tasks, bus, timers }, 'task_1', 60_000)
    await new Promise((resolve) => setImmediate(resolve))
    timers.due[0]!()
    expect((await waiting)?.state).toBe('running')
  })
})
