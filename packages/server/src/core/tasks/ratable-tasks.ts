import type { RatableTask, RatableTasks } from '../reputation/ratable-tasks.js'
import type { TaskStore } from './task-store.js'

/** Tasks as reputation sees them for ratings: settled means paid (posted, perhaps refunded since). */
export function ratableTasks(tasks: TaskStore): RatableTasks {
  return {
    async get(taskId: string): Promise<RatableTask | undefined> {
      const task = await tasks.get(taskId)
      if (!task?.providerId) return undefined
      return {
        requester: task.requester,
        agentId: task.settlement.payee ?? task.providerId,
        capabilityId: task.capabilityId,
        settled: task.settlement.state === 'posted' || task.settlement.state === 'refunded',
        paidMicros: task.settlement.paidMicros,
        currency: task.currency,
      }
    },
  }
}
