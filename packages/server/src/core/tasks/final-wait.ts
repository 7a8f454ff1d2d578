import type { Bus } from '../ports/bus.js'
import type { Timers } from '../ports/timers.js'
import { within } from '../within.js'
import { taskTopic } from './task-events.js'
import type { TaskStore } from './task-store.js'
import { isTerminal, type Task, type TaskState } from './task-types.js'

/**
 * Waits for a task that runs on another node now (its lease taken over while it ran here) to
 * become final: its state events reach this node on the cluster's bus. Resolves with the task once
 * final, or as it is after `waitMs`.
 */
export async function finalElsewhere(
  deps: { tasks: TaskStore; bus: Bus; timers: Timers },
  id: string,
  waitMs: number,
): Promise<Task | undefined> {
  let unsubscribe = () => {}
  const final = new Promise<void>((resolve) => {
    unsubscribe = deps.bus.subscribe(taskTopic(id), ({ body }) => {
      const { type, state } = body as { type?: string; state?: TaskState }
      if (type === 'state' && state !== undefined && isTerminal(state)) resolve()
    })
  })
  try {
    // Read after subscribing: a task final by now sends no more events.
    const task = await deps.tasks.get(id)
    if (!task || isTerminal(task.state)) return task
    await within(final, waitMs, deps.timers)
    return await deps.tasks.get(id)
  } finally {
    unsubscribe()
  }
}
