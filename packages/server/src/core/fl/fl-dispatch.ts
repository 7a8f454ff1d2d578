import { MeshError, type WireError } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { TaskValidator } from '../ports/task-validator.js'
import type { TaskService } from '../tasks/task-service.js'

/** What a job needs of the task flow. */
export type FlTaskFlow = Pick<TaskService, 'submit' | 'waitFor' | 'cancelRunning'>

/** One step's answer from one participant: its output, checked, or why there is none. */
export type StepResult<T> =
  | { ok: true; agentId: string; taskId: string; output: T; latencyMs: number }
  | { ok: false; agentId: string; taskId: string | null; error: WireError }

/** Extra time the node waits past a task's deadline for the task flow to end it. */
const WAIT_SLACK_MS = 5000

/**
 * Sends one step of a round to participants as tasks of the job's owner: each through the task
 * flow (deadline, retries, audit, events), at no price — the job's escrow pays accepted updates,
 * not the task. Answers are checked against the node's own schema (a participant's card may
 * promise anything), then by `check`; a malformed one is `FL_UPDATE_INVALID`.
 */
export class FlDispatch {
  readonly #tasks: FlTaskFlow
  readonly #validator: TaskValidator

  constructor(tasks: FlTaskFlow, validator: TaskValidator) {
    this.#tasks = tasks
    this.#validator = validator
  }

  /**
   * Runs the step on every agent at once; answers in the agents' order. When the job's signal
   * aborts, the step's tasks still running are canceled.
   */
  async all<T>(
    step: {
      caller: Caller
      capability: string
      currency: string
      timeoutMs: number
      schema: object
      signal: AbortSignal
    },
    agents: readonly string[],
    inputOf: (agentId: string) => unknown,
    check: (output: unknown, agentId: string) => T,
  ): Promise<StepResult<T>[]> {
    const running = new Set<string>()
    const abort = () => {
      for (const id of running) void this.#tasks.cancelRunning(id)
    }
    step.signal.addEventListener('abort', abort, { once: true })
    try {
      return await Promise.all(
        agents.map((agentId) => this.#one(step, agentId, inputOf(agentId), check, running)),
      )
    } finally {
      step.signal.removeEventListener('abort', abort)
    }
  }

  async #one<T>(
    step: {
      caller: Caller
      capability: string
      currency: string
      timeoutMs: number
      schema: object
      signal: AbortSignal
    },
    agentId: string,
    input: unknown,
    check: (output: unknown, agentId: string) => T,
    running: Set<string>,
  ): Promise<StepResult<T>> {
    let taskId: string | null = null
    try {
      const { task } = await this.#tasks.submit(step.caller, {
        capability: step.capability,
        agentId,
        input,
        maxPriceMicros: 0n,
        currency: step.currency,
        timeoutMs: step.timeoutMs,
      })
      taskId = task.id
      const id = task.id
      running.add(id)
      if (step.signal.aborted) void this.#tasks.cancelRunning(id)
      const done = await this.#tasks
        .waitFor(id, step.timeoutMs + WAIT_SLACK_MS)
        .finally(() => running.delete(id))
      if (done.state !== 'completed') {
        if (done.state === 'pending' || done.state === 'running') void this.#tasks.cancelRunning(id)
        const error = done.error ?? new MeshError('TIMEOUT', `Task ended ${done.state}`).toWire()
        return { ok: false, agentId, taskId, error }
      }
      const output = this.#checked(step.schema, done.output, (o) => check(o, agentId))
      const endedAtMs = done.attempts.at(-1)?.endedAtMs ?? done.updatedAtMs
      return { ok: true, agentId, taskId, output, latencyMs: endedAtMs - done.createdAtMs }
    } catch (error) {
      const wire =
        error instanceof MeshError
          ? error.toWire()
          : new MeshError('INTERNAL', 'Sending the step failed', { cause: error }).toWire()
      return { ok: false, agentId, taskId, error: wire }
    }
  }

  #checked<T>(schema: object, output: unknown, check: (output: unknown) => T): T {
    try {
      this.#validator.validate(schema, output, 'output')
      return check(output)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      throw new MeshError('FL_UPDATE_INVALID', `The answer is malformed: ${message}`, {
        cause: error,
      })
    }
  }
}
