import { MeshError } from '@agentmesh/protocol'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'
import type { Escrow } from '../ports/escrow.js'
import type { OutcomeSink } from '../ports/outcome-sink.js'
import type { TaskStore } from './task-store.js'
import type { TaskTransport } from '../ports/task-transport.js'
import type { TaskValidator } from '../ports/task-validator.js'
import type { Timers } from '../ports/timers.js'
import type { Tracer } from '../ports/tracer.js'
import { noopTracer } from '../tracing.js'
import { backoffMs, isRetryable } from './retry-policy.js'
import { nodeStopping, runAttempt, type AttemptDeps, type AttemptResult } from './task-attempt.js'
import { transitionTask, type TransitionExtra } from './task-events.js'
import type { SettlementPolicy } from '../ledger/pricing.js'
import { callPrice, TaskSettlement, type Payment } from './task-settlement.js'
import { TaskInputs } from './task-input.js'
import { TaskSpans } from './task-spans.js'
import { reservedMicros, type Candidate, type Task, type TaskState } from './task-types.js'
import { timeoutMessage } from './timeout-message.js'

export { type AttemptResult } from './task-attempt.js'
export { TASK_EVENTS, type TaskEvent } from './task-events.js'
export type { Payment } from './task-settlement.js'

export interface TaskRunnerDeps {
  tasks: TaskStore
  transport: TaskTransport
  escrow: Escrow
  outcomes: OutcomeSink
  audit: AuditSink
  bus: Bus
  clock: Clock
  timers: Timers
  validator: TaskValidator
  nodeDid: string
  /** Spans for the task's life (dispatch, attempt, verify, settle); none without one. */
  tracer?: Tracer
  /** The latency penalty (and fee) settlement applies; none without one. */
  settlementPolicy?: SettlementPolicy
  /** The longest a task waits for its requester's input (default five minutes). */
  inputTimeoutMs?: number
}

/**
 * Runs one task to a final state: attempts with a deadline each, retries with backoff for
 * retryable codes, failover down the ranked candidates, output validation, then settlement —
 * post to the provider that completed it, or void — exactly once.
 */
export class TaskRunner {
  readonly #deps: TaskRunnerDeps
  readonly #attemptDeps: AttemptDeps
  readonly #settlement: TaskSettlement
  /** The task's spans (none without a tracer). */
  readonly spans: TaskSpans
  /** Tasks waiting for their requester's input (multi-turn). */
  readonly inputs: TaskInputs

  constructor(deps: TaskRunnerDeps) {
    this.#deps = deps
    const transition = (task: Task, state: TaskState, extra?: TransitionExtra) =>
      this.transition(task, state, extra)
    this.inputs = new TaskInputs({ ...deps, transition }, deps.inputTimeoutMs)
    this.#attemptDeps = { ...deps, transition, inputs: this.inputs }
    this.#settlement = new TaskSettlement(deps)
    this.spans = new TaskSpans(deps.tracer ?? noopTracer)
  }

  /** Moves the task to `state`, stores it and announces it. */
  transition(task: Task, state: TaskState, extra: TransitionExtra = {}): Promise<void> {
    return transitionTask(this.#deps, task, state, extra)
  }

  /** Runs the task on the candidates (best first); `signal` aborts it as canceled. */
  async run(
    task: Task,
    candidates: Candidate[],
    signal: AbortSignal,
    accept?: (candidate: Candidate, output: unknown) => Promise<boolean>,
  ): Promise<Task> {
    let lastError: MeshError | undefined
    for (const candidate of candidates) {
      try {
        this.#deps.validator.validate(candidate.capability.input, task.input, 'input')
      } catch {
        continue
      }
      for (let n = 1; n <= task.retry.maximumAttempts; n++) {
        if (signal.aborted) return this.#aborted(task, signal)
        if (this.#deps.clock.now() >= task.deadlineAtMs) return this.#timedOut(task)
        const result = await this.attempt(task, candidate, signal)
        if (signal.reason === nodeStopping) return task
        if (result.ok) {
          const verdict =
            accept && (await this.#verifying(task, () => accept(candidate, result.output)))
          if (verdict instanceof MeshError) return this.finish(task, 'failed', null, verdict)
          if (verdict === false) {
            return this.finish(
              task,
              'disputed',
              null,
              new MeshError('TASK_DISPUTED', 'The validator rejected the output'),
            )
          }
          return this.#complete(task, candidate, result.output, result.units)
        }
        lastError = result.error
        if (result.outcome === 'canceled') return this.#aborted(task, signal)
        if (result.outcome === 'invalid_output' || !isRetryable(task.retry, result.error.code)) {
          const ended = result.error.code === 'INPUT_TIMEOUT' ? 'timed_out' : 'failed'
          return this.finish(task, ended, null, result.error)
        }
        if (n < task.retry.maximumAttempts) {
          await this.transition(task, 'retrying', {
            agentId: candidate.agentId,
            attempt: n,
            message: result.error.message,
          })
          await this.#sleep(
            Math.min(backoffMs(task.retry, n), task.deadlineAtMs - this.#deps.clock.now()),
            signal,
          )
        }
      }
    }
    if (signal.aborted) return this.#aborted(task, signal)
    if (this.#deps.clock.now() >= task.deadlineAtMs || lastError?.code === 'TIMEOUT')
      return this.#timedOut(task)
    return this.finish(
      task,
      'failed',
      null,
      lastError ?? new MeshError('NO_PROVIDER', `No online provider of "${task.capabilityId}"`),
    )
  }

  #aborted(task: Task, signal: AbortSignal): Promise<Task> {
    if (signal.reason === nodeStopping) return Promise.resolve(task)
    return this.finish(task, 'canceled', null, new MeshError('TASK_CANCELED', 'Task was canceled'))
  }

  /** The validator's verdict; no eligible validator online is an error, not a rejection. */
  async #verifying(task: Task, check: () => Promise<boolean>): Promise<boolean | MeshError> {
    await this.transition(task, 'verifying')
    const span = this.spans.start(task, 'task.verify', { 'agentmesh.verify.mode': 'validator' })
    const accepted = await check().catch((error: unknown) =>
      error instanceof MeshError && error.code === 'NO_VALIDATOR' ? error : false,
    )
    span.setAttributes({ 'agentmesh.verify.accepted': accepted === true })
    span.end()
    return accepted
  }

  /** One attempt on one provider, with its own deadline; `taskSignal` cancels it. */
  attempt(task: Task, candidate: Candidate, taskSignal: AbortSignal): Promise<AttemptResult> {
    const attributes = {
      'agentmesh.agent.id': candidate.agentId,
      'agentmesh.attempt': task.attempts.length + 1,
    }
    return this.spans.run(task, 'task.attempt', attributes, async (span) => {
      const result = await runAttempt(this.#attemptDeps, task, candidate, taskSignal)
      if (!result.ok) span.fail(result.error.code, result.error.message)
      return result
    })
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (ms <= 0 || signal.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const cancel = this.#deps.timers.setTimeout(done, ms)
      function done() {
        cancel()
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done, { once: true })
    })
  }

  async #complete(
    task: Task,
    candidate: Candidate,
    output: unknown,
    units: number | undefined,
  ): Promise<Task> {
    let price: bigint
    try {
      price = callPrice(task, candidate, units, reservedMicros(task), this.#deps.settlementPolicy)
    } catch (error) {
      return this.finish(task, 'failed', null, error as MeshError)
    }
    task.output = output
    return this.finish(task, 'completed', [{ payee: candidate.agentId, priceMicros: price }])
  }

  #timedOut(task: Task): Promise<Task> {
    return this.finish(
      task,
      'timed_out',
      null,
      new MeshError('TIMEOUT', timeoutMessage(task), {
        details: { attempts: task.attempts.length, timeoutMs: task.timeoutMs },
      }),
    )
  }

  /** Settles (post or void, once) and records the final state. */
  async finish(
    task: Task,
    state: TaskState,
    payments: Payment[] | null,
    error?: MeshError,
  ): Promise<Task> {
    task.error = error ? error.toWire() : null
    await this.spans.run(task, 'task.settle', {}, async (span) => {
      await this.settle(task, payments)
      span.setAttributes({
        'agentmesh.settlement.state': task.settlement.state,
        'agentmesh.settlement.paid_micros': task.settlement.paidMicros.toString(),
      })
    })
    await this.transition(task, state, error ? { message: error.message } : {})
    await this.#settlement.record(task, state)
    return task
  }

  /**
   * Posts the payment to the provider or voids the reservation; a settled task is left alone.
   * Several payees (a quorum) are paid out of the task's one reservation, posted once.
   */
  settle(task: Task, payments: Payment[] | null): Promise<void> {
    return this.#settlement.settle(task, payments)
  }

  /** Money after the end: the bonus a rating earns, and refunds. */
  get settlement(): TaskSettlement {
    return this.#settlement
  }
}
