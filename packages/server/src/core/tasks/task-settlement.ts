import { formatAmount, MeshError } from '@agentmesh/protocol'
import { ratingBonus, settledCost, type SettlementPolicy } from '../ledger/pricing.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { Escrow } from '../ports/escrow.js'
import type { OutcomeSink, TaskOutcome } from '../ports/outcome-sink.js'
import type { Candidate, Task, TaskState } from './task-types.js'

/** A payment to one provider. */
export interface Payment {
  payee: string
  priceMicros: bigint
}

/** The reservation of a task's bonus, beside the task's own (its reference too). */
export const bonusReservation = (taskId: string): string => `bonus:${taskId}`

/**
 * What a completed call by `candidate` costs, at most `capMicros`: its pricing for the units it
 * reported, less the latency penalty when its attempt was slower than its SLA's p95. Throws
 * INVALID_OUTPUT when the units are not a whole number.
 */
export function callPrice(
  task: Task,
  candidate: Candidate,
  units: number | undefined,
  capMicros: bigint,
  policy: SettlementPolicy | undefined,
): bigint {
  const attempt = [...task.attempts]
    .reverse()
    .find((a) => a.agentId === candidate.agentId && a.outcome === 'completed')
  const latencyMs =
    attempt?.endedAtMs === null || attempt === undefined
      ? undefined
      : attempt.endedAtMs - attempt.startedAtMs
  try {
    return settledCost({
      pricing: candidate.capability.pricing,
      reservedMicros: capMicros,
      units,
      sla: candidate.capability.sla,
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(policy ? { policy } : {}),
    })
  } catch (error) {
    throw new MeshError('INVALID_OUTPUT', (error as Error).message, { cause: error })
  }
}

/** What settlement and the final records need: the escrow, the audit log, the outcomes sink. */
export interface TaskSettlementDeps {
  escrow: Escrow
  outcomes: OutcomeSink
  audit: AuditSink
  clock: Clock
  nodeDid: string
  /** The latency penalty and the fee (default none). */
  settlementPolicy?: SettlementPolicy
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
   * Posts the payment to the provider or voids the reservation; a settled task is left alone.
   * Several payees (a quorum) are paid out of the task's one reservation, posted once. A bonus set
   * aside goes back unless the task paid someone (then it waits for the requester's rating).
   */
  async settle(task: Task, payments: Payment[] | null): Promise<void> {
    if (task.settlement.state !== 'reserved') return
    const { escrow } = this.#deps
    const [first] = payments ?? []
    if (!payments || !first) {
      await escrow.release(task.id)
      task.settlement = { state: 'voided', paidMicros: 0n, payee: null }
    } else {
      await escrow.settle({
        reservationId: task.id,
        payments: payments.map((p) => ({ payee: p.payee, amountMicros: p.priceMicros })),
      })
      const paid = payments.reduce((sum, p) => sum + p.priceMicros, 0n)
      task.settlement = {
        state: 'posted',
        paidMicros: paid,
        payee: first.payee,
        ...(payments.length > 1 ? { payees: payments.map((p) => p.payee) } : {}),
      }
    }
    if (task.bonus?.state === 'reserved' && task.settlement.paidMicros === 0n) {
      await escrow.release(bonusReservation(task.id))
      task.bonus = { ...task.bonus, state: 'released' }
    }
  }

  /**
   * Pays the bonus the requester's rating earns (see `ratingBonus`) to the provider, or gives it
   * back; once the window has passed, the ledger has given it back already.
   */
  async settleBonus(task: Task, stars: number): Promise<void> {
    const bonus = task.bonus
    if (bonus?.state !== 'reserved' || !task.settlement.payee) return
    const amountMicros = ratingBonus(stars, bonus.setAsideMicros)
    const reservationId = bonusReservation(task.id)
    if (amountMicros === 0n) {
      await this.#deps.escrow.release(reservationId)
      task.bonus = { ...bonus, state: 'released' }
      return
    }
    try {
      await this.#deps.escrow.settle({ reservationId, payee: task.settlement.payee, amountMicros })
      task.bonus = { ...bonus, state: 'paid', paidMicros: amountMicros }
    } catch (error) {
      if ((error as MeshError).code !== 'PENDING_EXPIRED') throw error
      task.bonus = { ...bonus, state: 'released' }
    }
  }

  /**
   * Gives the task's payment back to its requester, all of it or `amountMicros`, once; `from`
   * limits it to one payee's part. The task's settlement becomes `refunded`.
   */
  async refund(
    task: Task,
    request: { actor: string; amountMicros?: bigint | undefined; from?: string | undefined },
  ): Promise<void> {
    const { amountMicros, from } = request
    if (task.settlement.state === 'refunded')
      throw new MeshError('ALREADY_REFUNDED', `Task "${task.id}" was refunded already`)
    if (task.settlement.state !== 'posted' || task.settlement.paidMicros === 0n)
      throw new MeshError('TASK_NOT_SETTLED', `Task "${task.id}" paid nothing to refund`)
    const refunded = await this.#deps.escrow.refund({
      reservationId: task.id,
      ...(amountMicros === undefined ? {} : { amountMicros }),
      ...(from === undefined ? {} : { from }),
    })
    task.settlement = { ...task.settlement, state: 'refunded', refundedMicros: refunded }
    await this.#deps.audit.record({
      actor: request.actor,
      action: 'task.refunded',
      resource: `task:${task.id}`,
      result: 'ok',
      details: { amount: formatAmount(refunded), currency: task.currency },
    })
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
        ...measures(task, state),
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

/** What anomaly detection learns of a completed task: its output's size and one payee's price. */
function measures(task: Task, state: TaskState): Pick<TaskOutcome, 'outputLength' | 'priceMicros'> {
  if (state !== 'completed') return {}
  const onePayee = task.settlement.state === 'posted' && (task.settlement.payees?.length ?? 1) === 1
  return {
    outputLength: JSON.stringify(task.output ?? null).length,
    ...(onePayee ? { priceMicros: task.settlement.paidMicros } : {}),
  }
}
