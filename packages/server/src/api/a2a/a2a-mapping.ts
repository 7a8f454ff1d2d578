import { Role, TaskState, type Message, type Part, type Task as A2ATask } from '@a2a-js/sdk'
import { formatAmount, MeshError, toMoney } from '@agentmesh/protocol'
import type { Task, TaskState as MeshTaskState } from '../../core/tasks/task-types.js'

/**
 * The mesh's task states as A2A states. A2A has no retry or verify step, so those read as
 * `working`; every failure (failed, timed out, disputed) reads as `failed` with the mesh's error
 * in the status message.
 */
export function toA2AState(state: MeshTaskState): TaskState {
  switch (state) {
    case 'pending':
      return TaskState.TASK_STATE_SUBMITTED
    case 'assigned':
    case 'running':
    case 'retrying':
    case 'verifying':
      return TaskState.TASK_STATE_WORKING
    case 'input_required':
      return TaskState.TASK_STATE_INPUT_REQUIRED
    case 'completed':
      return TaskState.TASK_STATE_COMPLETED
    case 'failed':
    case 'timed_out':
    case 'disputed':
      return TaskState.TASK_STATE_FAILED
    case 'canceled':
      return TaskState.TASK_STATE_CANCELED
  }
}

/**
 * An A2A state as the mesh reads it (an imported agent's answer). `rejected`, `input-required`
 * and `auth-required` are failures: an imported agent's questions are not relayed.
 */
export function fromA2AState(state: TaskState): MeshTaskState {
  switch (state) {
    case TaskState.TASK_STATE_SUBMITTED:
      return 'pending'
    case TaskState.TASK_STATE_WORKING:
      return 'running'
    case TaskState.TASK_STATE_COMPLETED:
      return 'completed'
    case TaskState.TASK_STATE_CANCELED:
      return 'canceled'
    case TaskState.TASK_STATE_FAILED:
    case TaskState.TASK_STATE_REJECTED:
    case TaskState.TASK_STATE_INPUT_REQUIRED:
    case TaskState.TASK_STATE_AUTH_REQUIRED:
    case TaskState.TASK_STATE_UNSPECIFIED:
    case TaskState.UNRECOGNIZED:
      return 'failed'
  }
}

/** Whether an A2A state ends the task (for the transport, `input-required` ends it too). */
export function isFinalA2AState(state: TaskState): boolean {
  return state !== TaskState.TASK_STATE_SUBMITTED && state !== TaskState.TASK_STATE_WORKING
}

/** A data part carrying a JSON value. */
export function dataPart(value: unknown): Part {
  return { content: { $case: 'data', value }, metadata: undefined, filename: '', mediaType: '' }
}

export function textPart(text: string): Part {
  return {
    content: { $case: 'text', value: text },
    metadata: undefined,
    filename: '',
    mediaType: 'text/plain',
  }
}

/**
 * The input a message carries: its first data part's value; without one, its text parts joined,
 * as `{text}`. Anything else (files only, nothing) is refused.
 */
export function inputOf(message: Message): unknown {
  for (const part of message.parts) {
    if (part.content?.$case === 'data') return part.content.value as unknown
  }
  const texts = message.parts.flatMap((p) => (p.content?.$case === 'text' ? [p.content.value] : []))
  if (texts.length > 0) return { text: texts.join('\n') }
  throw new MeshError('INVALID_INPUT', 'The message has no data part and no text part')
}

/** The value an artifact or message carries: a data part's value, else its text. */
export function outputOf(parts: Part[]): unknown {
  for (const part of parts) if (part.content?.$case === 'data') return part.content.value as unknown
  const texts = parts.flatMap((p) => (p.content?.$case === 'text' ? [p.content.value] : []))
  return texts.length > 0 ? { text: texts.join('\n') } : null
}

export function agentMessage(taskId: string, id: string, parts: Part[]): Message {
  return {
    messageId: id,
    contextId: taskId,
    taskId,
    role: Role.ROLE_AGENT,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  }
}

/**
 * A mesh task as an A2A task: its input as the first (user) message of the history, its output
 * as the artifact `output` (one data part), its error as the status message. The context id is
 * the task id: every message starts its own context.
 */
export function toA2ATask(task: Task, options: { includeArtifacts?: boolean } = {}): A2ATask {
  const userMessage: Message = {
    messageId: `${task.id}:input`,
    contextId: task.id,
    taskId: task.id,
    role: Role.ROLE_USER,
    parts: [dataPart(task.input)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  }
  const last = task.history.at(-1)
  return {
    id: task.id,
    contextId: task.id,
    status: {
      state: toA2AState(task.state),
      message: task.error
        ? agentMessage(task.id, `${task.id}:error`, [textPart(task.error.message)])
        : undefined,
      timestamp: new Date(last?.atMs ?? task.updatedAtMs).toISOString(),
    },
    artifacts:
      task.state === 'completed' && options.includeArtifacts !== false
        ? [
            {
              artifactId: 'output',
              name: 'output',
              description: `Output of ${task.capabilityId}`,
              parts: [dataPart(task.output)],
              metadata: undefined,
              extensions: [],
            },
          ]
        : [],
    history: [userMessage],
    metadata: {
      agentmesh: {
        capability: task.capabilityId,
        state: task.state,
        providerId: task.providerId,
        maxPrice: toMoney(task.maxPriceMicros, task.currency),
        settlement: {
          state: task.settlement.state,
          paid: { amount: formatAmount(task.settlement.paidMicros), currency: task.currency },
        },
        ...(task.error ? { error: task.error } : {}),
      },
    },
  }
}
