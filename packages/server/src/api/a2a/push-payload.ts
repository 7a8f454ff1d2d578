import { StreamResponse } from '@a2a-js/sdk'
import { isTerminal, type Task } from '../../core/tasks/task-types.js'
import { agentMessage, textPart, toA2AState } from './a2a-mapping.js'

/**
 * What a push notification carries for a task's transition number `seq`: an A2A 1.0
 * `StreamResponse` with a `statusUpdate` (the JSON A2A clients parse), the mesh's own state, the
 * transition's number and whether it is the last in `metadata.agentmesh`.
 */
export function pushPayload(task: Task, seq: number): unknown {
  const transition = task.history[seq]!
  const contextId = task.contextId ?? task.id
  return StreamResponse.toJSON({
    payload: {
      $case: 'statusUpdate',
      value: {
        taskId: task.id,
        contextId,
        status: {
          state: toA2AState(transition.state),
          message: transition.message
            ? agentMessage(task.id, `${task.id}:${seq}`, [textPart(transition.message)])
            : undefined,
          timestamp: new Date(transition.atMs).toISOString(),
        },
        metadata: {
          agentmesh: { seq, state: transition.state, final: isTerminal(transition.state) },
        },
      },
    },
  })
}
