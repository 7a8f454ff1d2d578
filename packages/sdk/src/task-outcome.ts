import { MeshError, type TaskView } from '@agentmesh/protocol'
import { finalStates } from './task-types.js'

/**
 * What `Mesh.call` answers for a task the node returned after waiting: its output when it
 * completed; otherwise throws a `MeshError`, `TIMEOUT` when it is not final yet, else the task's
 * own error (or `INTERNAL` when it has none).
 */
export function taskOutput<T>(task: TaskView, timeoutMs: number): T {
  if (task.state === 'completed') return task.output as T
  if (!finalStates.includes(task.state)) {
    throw new MeshError('TIMEOUT', `Task ${task.id} is still ${task.state} after ${timeoutMs} ms`)
  }
  throw MeshError.fromWire(
    task.error ?? { code: 'INTERNAL', message: `Task ${task.id} ended ${task.state}` },
    `Task ${task.id} ended ${task.state}`,
  )
}
