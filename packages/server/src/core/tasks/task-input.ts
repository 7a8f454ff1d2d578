import { MeshError } from '@agentmesh/protocol'
import type { Clock } from '../ports/clock.js'
import type { InputRequestEvent } from '../ports/task-transport.js'
import type { TaskValidator } from '../ports/task-validator.js'
import type { Timers } from '../ports/timers.js'
import type { TransitionExtra } from './task-events.js'
import type { InputTurn } from './input-turn.js'
import type { Task, TaskState } from './task-types.js'

/** How long a task waits for its requester's answer when nobody says otherwise: five minutes. */
export const DEFAULT_INPUT_TIMEOUT_MS = 300_000

/** What the waiting attempt lends the wait: its clock (stopped while waiting) and its end. */
export interface AttemptHooks {
  /** Stops the attempt's timer. */
  pause(): void
  /** Restarts it with the time it had left; answers the attempt's new deadline. */
  resume(): number
  /** Ends the attempt with `error` (the input timeout). */
  fail(error: MeshError): void
}

export interface TaskInputDeps {
  clock: Clock
  timers: Timers
  validator: TaskValidator
  transition: (task: Task, state: TaskState, extra?: TransitionExtra) => Promise<void>
}

interface Waiting {
  task: Task
  event: InputRequestEvent
  hooks: AttemptHooks
  cancelTimer: () => void
}

/**
 * Multi-turn tasks on the node that runs them: an agent's request for input moves its task to
 * `input_required` (the attempt's clock stopped, the reservation kept), the requester's answer is
 * checked against the schema the agent gave and handed to the agent, which resumes; an input
 * timeout (the agent's, at most the node's, never past the task's deadline) ends the attempt with
 * INPUT_TIMEOUT, which the runner does not retry.
 */
export class TaskInputs {
  readonly #deps: TaskInputDeps
  readonly #maxTimeoutMs: number
  readonly #waiting = new Map<string, Waiting>()

  constructor(deps: TaskInputDeps, maxTimeoutMs = DEFAULT_INPUT_TIMEOUT_MS) {
    this.#deps = deps
    this.#maxTimeoutMs = maxTimeoutMs
  }

  /** The provider of `task` asks for input (a second request while one waits is ignored). */
  async open(task: Task, event: InputRequestEvent, hooks: AttemptHooks): Promise<void> {
    if (this.#waiting.has(task.id)) return
    hooks.pause()
    const now = this.#deps.clock.now()
    const waitMs = Math.max(
      1,
      Math.min(event.timeoutMs ?? this.#maxTimeoutMs, this.#maxTimeoutMs, task.deadlineAtMs - now),
    )
    const turn: InputTurn = {
      prompt: event.prompt,
      ...(event.schema === undefined ? {} : { schema: event.schema }),
      askedAtMs: now,
      expiresAtMs: now + waitMs,
    }
    task.inputTurns = [...(task.inputTurns ?? []), turn]
    const cancelTimer = this.#deps.timers.setTimeout(() => {
      if (!this.#waiting.delete(task.id)) return
      hooks.fail(
        new MeshError('INPUT_TIMEOUT', `Nobody answered the agent's question within ${waitMs} ms`, {
          details: { timeoutMs: waitMs },
        }),
      )
    }, waitMs)
    this.#waiting.set(task.id, { task, event, hooks, cancelTimer })
    await this.#deps.transition(task, 'input_required', { message: event.prompt })
  }

  /** Whether `taskId` waits for its requester's answer here. */
  isWaiting(taskId: string): boolean {
    return this.#waiting.has(taskId)
  }

  /**
   * Hands the requester's answer to the waiting agent: SCHEMA_MISMATCH when it does not match
   * the agent's schema (the task keeps waiting), NOT_WAITING_FOR_INPUT when nothing waits.
   */
  async answer(taskId: string, input: unknown): Promise<Task> {
    const waiting = this.#waiting.get(taskId)
    if (!waiting) {
      throw new MeshError('NOT_WAITING_FOR_INPUT', `Task "${taskId}" is not waiting for input`)
    }
    const { task, event, hooks } = waiting
    if (event.schema) this.#check(event.schema, input)
    if (this.#waiting.get(taskId) !== waiting) {
      throw new MeshError('NOT_WAITING_FOR_INPUT', `Task "${taskId}" is not waiting for input`)
    }
    this.#waiting.delete(taskId)
    waiting.cancelTimer()
    const turn = task.inputTurns?.at(-1)
    if (turn) {
      turn.answer = input
      turn.answeredAtMs = this.#deps.clock.now()
    }
    event.respond(input, hooks.resume())
    await this.#deps.transition(task, 'running', { message: 'The requester answered' })
    return task
  }

  /** The attempt ended (result, error, cancel): forget its wait. */
  close(taskId: string): void {
    this.#waiting.get(taskId)?.cancelTimer()
    this.#waiting.delete(taskId)
  }

  #check(schema: Record<string, unknown>, input: unknown): void {
    try {
      this.#deps.validator.validate(schema, input, 'input')
    } catch (error) {
      if (error instanceof MeshError) throw error
      throw new MeshError('SCHEMA_MISMATCH', "The agent's schema for the answer does not compile")
    }
  }
}
