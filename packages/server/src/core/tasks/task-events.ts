import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'
import type { TaskStore } from './task-store.js'
import type { Task, TaskState } from './task-types.js'

/** The topic every task transition also travels on (metrics, alerts, the dashboard). */
export const TASK_EVENTS = 'tasks.events'

/** A task transition on `TASK_EVENTS`; money as micro-units in a string. */
export interface TaskEvent {
  taskId: string
  capabilityId: string
  requester: string
  providerId: string | null
  state: TaskState
  atMs: number
  createdAtMs: number
  paidMicros: string
  currency: string
  errorCode?: string
  /** The task's trace, so that logs and alerts can point at it. */
  traceId?: string
}

/** The topic a task's events travel on. */
export const taskTopic = (taskId: string): string => `task.${taskId}`

/** What a transition may say besides the state: who, which attempt, why. */
export interface TransitionExtra {
  agentId?: string
  attempt?: number
  message?: string
}

/** What a transition needs: the store it is saved in, the bus it is announced on, the time. */
export interface TransitionDeps {
  tasks: TaskStore
  bus: Bus
  clock: Clock
}

/**
 * Moves the task to `state`, stores it and announces it, on the task's own topic (its watchers)
 * and on `TASK_EVENTS` (metrics, alerts, the dashboard).
 */
export async function transitionTask(
  deps: TransitionDeps,
  task: Task,
  state: TaskState,
  extra: TransitionExtra = {},
): Promise<void> {
  const atMs = deps.clock.now()
  task.state = state
  task.updatedAtMs = atMs
  task.history.push({ state, atMs, ...extra })
  await deps.tasks.save(task)
  await deps.bus.publish(taskTopic(task.id), {
    type: 'state',
    seq: task.history.length - 1,
    state,
    at: new Date(atMs).toISOString(),
    ...extra,
  })
  const event: TaskEvent = {
    taskId: task.id,
    capabilityId: task.capabilityId,
    requester: task.requester,
    providerId: task.providerId,
    state,
    atMs,
    createdAtMs: task.createdAtMs,
    paidMicros: task.settlement.paidMicros.toString(),
    currency: task.currency,
    ...(task.error ? { errorCode: task.error.code } : {}),
    ...(task.traceId ? { traceId: task.traceId } : {}),
  }
  await deps.bus.publish(TASK_EVENTS, event)
}
