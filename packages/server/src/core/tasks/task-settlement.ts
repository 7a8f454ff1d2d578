import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { Escrow } from '../ports/escrow.js'
import type { OutcomeSink, TaskOutcome } from '../ports/outcome-sink.js'
import type { Task, TaskState } from './task-types.js'

/** A payment to one provider. */
export interface Payment {
  payee: string
  priceMicros: bigint
}

/** What settlement and the final records need: the escrow, the audit log, the outcomes sink. */
export interface TaskSettlementDeps {
  escrow: Escrow
  outcomes: OutcomeSink
  audit: AuditSink
  clock: Clock
  nodeDid: string
}

/**
 * The money and the records at a task's end: posts or voids its reservation exactly once, then
 * audits the final state and reports the outcome that the provider's reputation is built from.
 */
export class TaskSettlement {
  readonly #deps: TaskSettlementDeps

  constructor(deps: TaskSettlementDeps) {
    this.#deps = deps
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

  /** Audits the task's final `state` and, if a provider had it, reports its outcome. */
  async record(task: Task, state: TaskState): Promise<void> {
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
        result: outcomeResult(state),
        latencyMs: lastAttempt
          ? (lastAttempt.endedAtMs ?? this.#deps.clock.now()) - lastAttempt.startedAtMs
          : 0,
        paidMicros: task.settlement.paidMicros,
        currency: task.currency,
        atMs: this.#deps.clock.now(),
      })
    }
  }
}

function outcomeResult(state: TaskState): TaskOutcome['result'] {
  return state === 'completed'
    ? 'completed'
    : state === 'timed_out'
      ? 'timed_out'
      : state === 'canceled'
        ? 'canceled'
        : state === 'disputed'
          ? 'disputed'
          : 'failed'
}
