import { MeshError } from '@agentmesh/protocol'
import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'
import type { TaskTransport } from '../ports/task-transport.js'
import type { TaskValidator } from '../ports/task-validator.js'
import type { Timers } from '../ports/timers.js'
import { taskTopic, type TransitionExtra } from './task-events.js'
import type { TaskInputs } from './task-input.js'
import type { Attempt, Candidate, Task, TaskState } from './task-types.js'

/** The abort reason of a node that stops: its tasks stay unfinished, to resume after a restart. */
export const nodeStopping = new MeshError('UNAVAILABLE', 'Node is stopping')

/** What one attempt came to. */
export type AttemptResult =
  | { ok: true; output: unknown; units: number | undefined }
  | { ok: false; error: MeshError; outcome: NonNullable<Attempt['outcome']> }

/**
 * What one attempt needs: the provider's transport, the output's schema check, time, and the
 * runner's own `transition`, so that the task's states move as the runner moves them.
 */
export interface AttemptDeps {
  transport: TaskTransport
  bus: Bus
  clock: Clock
  timers: Timers
  validator: TaskValidator
  transition: (task: Task, state: TaskState, extra?: TransitionExtra) => Promise<void>
  /** Where a provider's requests for input wait for the requester; none: such a request fails. */
  inputs?: TaskInputs
}

function asMeshError(error: unknown): MeshError {
  if (error instanceof MeshError) return error
  return new MeshError('PROVIDER_ERROR', (error as Error)?.message ?? 'Provider failed', {
    cause: error,
  })
}

/**
 * One attempt on one provider, with its own deadline (the capability's SLA, within the task's);
 * `taskSignal` cancels it. The attempt is recorded on the task, whatever it comes to.
 */
export async function runAttempt(
  deps: AttemptDeps,
  task: Task,
  candidate: Candidate,
  taskSignal: AbortSignal,
): Promise<AttemptResult> {
  const now = deps.clock.now()
  const attempt: Attempt = {
    n: task.attempts.length + 1,
    agentId: candidate.agentId,
    startedAtMs: now,
    endedAtMs: null,
    outcome: null,
    error: null,
  }
  task.attempts.push(attempt)
  task.providerId = candidate.agentId
  const timeoutMs = Math.max(
    1,
    Math.min(candidate.capability.sla.timeoutMs, task.deadlineAtMs - now),
  )
  const controller = new AbortController()
  const expire = () =>
    controller.abort(
      new MeshError('TIMEOUT', `Provider did not answer within ${timeoutMs} ms`, {
        details: { timeoutMs },
      }),
    )
  // The attempt's clock stops while the provider waits for its requester's input.
  let armedAtMs = now
  let leftMs = timeoutMs
  let cancelTimer = deps.timers.setTimeout(expire, timeoutMs)
  const hooks = {
    pause: () => {
      cancelTimer()
      leftMs -= deps.clock.now() - armedAtMs
    },
    resume: () => {
      armedAtMs = deps.clock.now()
      leftMs = Math.max(1, Math.min(leftMs, task.deadlineAtMs - armedAtMs))
      cancelTimer = deps.timers.setTimeout(expire, leftMs)
      return armedAtMs + leftMs
    },
    fail: (error: MeshError) => controller.abort(error),
  }
  const onCancel = () =>
    controller.abort(
      taskSignal.reason === nodeStopping
        ? nodeStopping
        : new MeshError('TASK_CANCELED', 'Task was canceled'),
    )
  taskSignal.addEventListener('abort', onCancel, { once: true })
  await deps.transition(task, 'assigned', { agentId: candidate.agentId, attempt: attempt.n })
  // The "running" write starts while the provider works; it is awaited before the attempt ends,
  // so a refused write (another node of the cluster took the task over) fails the attempt.
  let started: Promise<void> | undefined
  let result: AttemptResult
  try {
    const answer = await deps.transport.dispatch(
      candidate.agentId,
      {
        taskId: task.id,
        attempt: attempt.n,
        capabilityId: task.capabilityId,
        input: task.input,
        deadlineAtMs: now + timeoutMs,
        depth: task.depth,
        budgetMicros: task.maxPriceMicros,
        currency: task.currency,
      },
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'accepted' && task.state === 'assigned') {
            started = deps.transition(task, 'running', {
              agentId: candidate.agentId,
              attempt: attempt.n,
            })
            started.catch(() => {})
          } else if (event.type === 'input_request') {
            if (!deps.inputs) {
              hooks.fail(new MeshError('PROVIDER_ERROR', 'This node takes no requests for input'))
            } else void deps.inputs.open(task, event, hooks)
          } else if (event.type === 'progress') {
            // Progress is at most once: a bus that refuses it (NATS closing) loses it.
            deps.bus
              .publish(taskTopic(task.id), {
                ...event,
                agentId: candidate.agentId,
                attempt: attempt.n,
              })
              .catch(() => {})
          }
        },
      },
    )
    result = checkOutput(deps.validator, candidate, answer.output, answer.units)
  } catch (error) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : error
    const meshError = asMeshError(reason)
    const outcome =
      meshError.code === 'TIMEOUT'
        ? 'timeout'
        : meshError.code === 'TASK_CANCELED'
          ? 'canceled'
          : meshError.code === 'PROVIDER_DISCONNECTED'
            ? 'disconnected'
            : 'error'
    result = { ok: false, error: meshError, outcome }
  } finally {
    cancelTimer()
    deps.inputs?.close(task.id)
    taskSignal.removeEventListener('abort', onCancel)
  }
  await started
  attempt.endedAtMs = deps.clock.now()
  attempt.outcome = result.ok ? 'completed' : result.outcome
  attempt.error = result.ok ? null : result.error.toWire()
  return result
}

function checkOutput(
  validator: TaskValidator,
  candidate: Candidate,
  output: unknown,
  units: number | undefined,
): AttemptResult {
  if (units !== undefined && !(units >= 0 && units <= Number.MAX_SAFE_INTEGER)) {
    return {
      ok: false,
      outcome: 'invalid_output',
      error: new MeshError('INVALID_OUTPUT', `Provider reported ${String(units)} units`),
    }
  }
  try {
    validator.validate(candidate.capability.output, output, 'output')
    return { ok: true, output, units }
  } catch (error) {
    const mismatch = error as MeshError
    return {
      ok: false,
      outcome: 'invalid_output',
      error: new MeshError(
        'INVALID_OUTPUT',
        `Provider output does not match the schema: ${mismatch.message}`,
        {
          ...(mismatch.details ? { details: mismatch.details } : {}),
        },
      ),
    }
  }
}
