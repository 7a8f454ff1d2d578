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

/** Whom a message of the task's history is from, and what it says. */
function historyOf(task: Task, contextId: string): Message[] {
  const message = (id: string, role: Role, parts: Part[]): Message => ({
    messageId: `${task.id}:${id}`,
    contextId,
    taskId: task.id,
    role,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  })
  const history = [message('input', Role.ROLE_USER, [dataPart(task.input)])]
  for (const [n, turn] of (task.inputTurns ?? []).entries()) {
    history.push(message(`ask-${n}`, Role.ROLE_AGENT, promptParts(turn.prompt, turn.schema)))
    if (turn.answeredAtMs !== undefined)
      history.push(message(`answer-${n}`, Role.ROLE_USER, [dataPart(turn.answer)]))
  }
  return history
}

/** An agent's question: its text, and the schema the answer must match as a data part. */
function promptParts(prompt: string, schema: Record<string, unknown> | undefined): Part[] {
  return schema ? [textPart(prompt), dataPart({ schema })] : [textPart(prompt)]
}

/** How much of a task an answer shows. */
export interface TaskShape {
  /** Artifacts are left out unless asked for (ListTasks); default: in. */
  includeArtifacts?: boolean
  /** The most recent messages of the history to keep; default: all. */
  historyLength?: number
}

/**
 * A mesh task as an A2A task: its input as the first (user) message of the history, then each
 * question the agent asked and its answer; its output as the artifact `output` (one data part);
 * its error, or the question it waits on, as the status message. The context is the one the
 * first message named, else the task's own id.
 */
export function toA2ATask(task: Task, options: TaskShape = {}): A2ATask {
  const contextId = task.contextId ?? task.id
  const last = task.history.at(-1)
  const asking = task.state === 'input_required' ? task.inputTurns?.at(-1) : undefined
  const history = historyOf(task, contextId)
  const keep = options.historyLength
  const statusMessage = asking
    ? agentMessage(task.id, `${task.id}:asking`, promptParts(asking.prompt, asking.schema))
    : task.error
      ? agentMessage(task.id, `${task.id}:error`, [textPart(task.error.message)])
      : undefined
  if (statusMessage) statusMessage.contextId = contextId
  return {
    id: task.id,
    contextId,
    status: {
      state: toA2AState(task.state),
      message: statusMessage,
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
    history: keep === undefined ? history : keep === 0 ? [] : history.slice(-keep),
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
