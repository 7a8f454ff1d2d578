import { MeshError } from '@agentmesh/protocol'
import type {
  AuditSink,
  Bus,
  Clock,
  Escrow,
  OutcomeSink,
  TaskStore,
  TaskTransport,
  Timers,
  Tracer,
} from '../ports.js'
import { noopTracer } from '../tracing.js'
import { callPriceMicros } from './price.js'
import { backoffMs, isRetryable } from './retry-policy.js'
import type { SchemaValidator } from './schema-validator.js'
import { TaskSpans } from './task-spans.js'
import type { Attempt, Candidate, Task, TaskState } from './task-types.js'

export interface TaskRunnerDeps {
  tasks: TaskStore
  transport: TaskTransport
  escrow: Escrow
  outcomes: OutcomeSink
  audit: AuditSink
  bus: Bus
  clock: Clock
  timers: Timers
  validator: SchemaValidator
  nodeDid: string
  /** Spans for the task's life (dispatch, attempt, verify, settle); none without one. */
  tracer?: Tracer
}

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

/** The abort reason of a node that stops: its tasks stay unfinished, to resume after a restart. */
export const nodeStopping = new MeshError('UNAVAILABLE', 'Node is stopping')

/** A payment to one provider. */
export interface Payment {
  payee: string
  priceMicros: bigint
}

/** What one attempt came to. */
export type AttemptResult =
  | { ok: true; output: unknown; units: number | undefined }
  | { ok: false; error: MeshError; outcome: NonNullable<Attempt['outcome']> }

function asMeshError(error: unknown): MeshError {
  if (error instanceof MeshError) return error
  return new MeshError('PROVIDER_ERROR', (error as Error)?.message ?? 'Provider failed', {
    cause: error,
  })
}

/**
 * Runs one task to a final state: attempts with a deadline each, retries with backoff for
 * retryable codes, failover down the ranked candidates, output validation, then settlement —
 * post to the provider that completed it, or void — exactly once.
 */
export class TaskRunner {
  readonly #deps: TaskRunnerDeps
  /** The task's spans (none without a tracer). */
  readonly spans: TaskSpans

  constructor(deps: TaskRunnerDeps) {
    this.#deps = deps
    this.spans = new TaskSpans(deps.tracer ?? noopTracer)
  }

  /** Moves the task to `state`, stores it and announces it. */
  async transition(
    task: Task,
    state: TaskState,
    extra: { agentId?: string; attempt?: number; message?: string } = {},
  ) {
    const atMs = this.#deps.clock.now()
    task.state = state
    task.updatedAtMs = atMs
    task.history.push({ state, atMs, ...extra })
    await this.#deps.tasks.save(task)
    await this.#deps.bus.publish(taskTopic(task.id), {
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
    await this.#deps.bus.publish(TASK_EVENTS, event)
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
          if (accept && !(await this.#verifying(task, () => accept(candidate, result.output)))) {
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
          return this.finish(task, 'failed', null, result.error)
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

  async #verifying(task: Task, check: () => Promise<boolean>): Promise<boolean> {
    await this.transition(task, 'verifying')
    const span = this.spans.start(task, 'task.verify', { 'agentmesh.verify.mode': 'validator' })
    const accepted = await check().catch(() => false)
    span.setAttributes({ 'agentmesh.verify.accepted': accepted })
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
      const result = await this.#attempt(task, candidate, taskSignal)
      if (!result.ok) span.fail(result.error.code, result.error.message)
      return result
    })
  }

  async #attempt(
    task: Task,
    candidate: Candidate,
    taskSignal: AbortSignal,
  ): Promise<AttemptResult> {
    const now = this.#deps.clock.now()
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
    const cancelTimer = this.#deps.timers.setTimeout(
      () =>
        controller.abort(
          new MeshError('TIMEOUT', `Provider did not answer within ${timeoutMs} ms`),
        ),
      timeoutMs,
    )
    const onCancel = () =>
      controller.abort(
        taskSignal.reason === nodeStopping
          ? nodeStopping
          : new MeshError('TASK_CANCELED', 'Task was canceled'),
      )
    taskSignal.addEventListener('abort', onCancel, { once: true })
    await this.transition(task, 'assigned', { agentId: candidate.agentId, attempt: attempt.n })
    let result: AttemptResult
    try {
      const answer = await this.#deps.transport.dispatch(
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
              void this.transition(task, 'running', {
                agentId: candidate.agentId,
                attempt: attempt.n,
              })
            } else if (event.type === 'progress') {
              void this.#deps.bus.publish(taskTopic(task.id), {
                ...event,
                agentId: candidate.agentId,
                attempt: attempt.n,
              })
            }
          },
        },
      )
      result = this.#checkOutput(candidate, answer.output, answer.units)
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
      taskSignal.removeEventListener('abort', onCancel)
    }
    attempt.endedAtMs = this.#deps.clock.now()
    attempt.outcome = result.ok ? 'completed' : result.outcome
    attempt.error = result.ok ? null : result.error.toWire()
    return result
  }

  #checkOutput(candidate: Candidate, output: unknown, units: number | undefined): AttemptResult {
    try {
      this.#deps.validator.validate(candidate.capability.output, output, 'output')
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
    const price = callPriceMicros(candidate.capability.pricing, units, task.maxPriceMicros)
    task.output = output
    return this.finish(task, 'completed', [{ payee: candidate.agentId, priceMicros: price }])
  }

  #timedOut(task: Task): Promise<Task> {
    return this.finish(
      task,
      'timed_out',
      null,
      new MeshError('TIMEOUT', `Task did not finish within ${task.timeoutMs} ms`),
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
    await this.#deps.audit.record({
      actor: task.providerId ?? this.#deps.nodeDid,
      action: `task.${state}`,
      resource: `task:${task.id}`,
      result: state === 'completed' ? 'ok' : 'error',
      details: { capability: task.capabilityId, paid: task.settlement.paidMicros.toString() },
    })
    if (task.providerId) {
      const lastAttempt = task.attempts.at(-1)
      await this.#deps.outcomes.recordOutcome({
        taskId: task.id,
        agentId: task.providerId,
        capabilityId: task.capabilityId,
        requester: task.requester,
        result:
          state === 'completed'
            ? 'completed'
            : state === 'timed_out'
              ? 'timed_out'
              : state === 'canceled'
                ? 'canceled'
                : state === 'disputed'
                  ? 'disputed'
                  : 'failed',
        latencyMs: lastAttempt
          ? (lastAttempt.endedAtMs ?? this.#deps.clock.now()) - lastAttempt.startedAtMs
          : 0,
        paidMicros: task.settlement.paidMicros,
        currency: task.currency,
        atMs: this.#deps.clock.now(),
      })
    }
    return task
  }

  /**
   * Posts the payment to the provider or voids the reservation; a settled task is left alone. Several
   * payees (a quorum) each get a reservation of their own, moved from the task's.
   */
  async settle(task: Task, payments: Payment[] | null): Promise<void> {
    if (task.settlement.state !== 'reserved') return
    const { escrow } = this.#deps
    const [first] = payments ?? []
    if (!payments || !first) {
      await escrow.release(task.id)
      task.settlement = { state: 'voided', paidMicros: 0n, payee: null }
    } else if (payments.length === 1) {
      await escrow.settle({
        reservationId: task.id,
        payee: first.payee,
        amountMicros: first.priceMicros,
      })
      task.settlement = { state: 'posted', paidMicros: first.priceMicros, payee: first.payee }
    } else {
      await escrow.release(task.id)
      for (const [i, payment] of payments.entries()) {
        const reservationId = `${task.id}:${i + 1}`
        await escrow.reserve({
          reservationId,
          payer: task.requester,
          currency: task.currency,
          amountMicros: payment.priceMicros,
          timeoutMs: 60_000,
          reference: task.id,
        })
        await escrow.settle({
          reservationId,
          payee: payment.payee,
          amountMicros: payment.priceMicros,
        })
      }
      const paid = payments.reduce((sum, p) => sum + p.priceMicros, 0n)
      task.settlement = { state: 'posted', paidMicros: paid, payee: first.payee }
    }
  }
}
