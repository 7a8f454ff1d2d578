import { toMoney, type TaskView } from '@agentmesh/protocol'
import type { Task } from '../core/tasks/task-types.js'

/** A time as ISO 8601; no time stays null. */
function iso(ms: number): string
function iso(ms: number | null): string | null
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

/** A task as the API shows it: money as decimal strings, times as ISO 8601. */
export function taskView(task: Task): TaskView {
  return {
    id: task.id,
    state: task.state,
    capability: task.capabilityId,
    agentId: task.agentId,
    providerId: task.providerId,
    requester: task.requester,
    input: task.input,
    output: task.output,
    error: task.error,
    maxPrice: toMoney(task.maxPriceMicros, task.currency),
    maxUnits: task.maxUnits ?? 1,
    /** The quality bonus set aside, and what a rating made of it. */
    bonus: task.bonus
      ? {
          amount: toMoney(task.bonus.setAsideMicros, task.currency),
          state: task.bonus.state,
          paid: toMoney(task.bonus.paidMicros, task.currency),
          windowEndsAt: iso(task.bonus.windowEndsAtMs),
        }
      : null,
    timeoutMs: task.timeoutMs,
    retry: task.retry,
    verify: task.verify,
    oracle: task.oracle
      ? {
          answer: task.oracle.answer,
          sources: task.oracle.sources.map(({ paidMicros, ...source }) => ({
            ...source,
            paid: toMoney(paidMicros, task.currency),
          })),
        }
      : null,
    idempotencyKey: task.idempotencyKey,
    parentTaskId: task.parentTaskId,
    depth: task.depth,
    createdAt: iso(task.createdAtMs),
    updatedAt: iso(task.updatedAtMs),
    deadline: iso(task.deadlineAtMs),
    attempts: task.attempts.map((a) => ({
      n: a.n,
      agentId: a.agentId,
      startedAt: iso(a.startedAtMs),
      endedAt: iso(a.endedAtMs),
      outcome: a.outcome,
      error: a.error,
    })),
    history: task.history.map((h, seq) => ({ seq, state: h.state, at: iso(h.atMs), ...omitAt(h) })),
    settlement: {
      state: task.settlement.state,
      paid: toMoney(task.settlement.paidMicros, task.currency),
      payee: task.settlement.payee,
      payees: task.settlement.payees ?? (task.settlement.payee ? [task.settlement.payee] : []),
      refunded: toMoney(task.settlement.refundedMicros ?? 0n, task.currency),
    },
    /** The W3C trace id of the task's spans (OpenTelemetry), for finding it in a trace viewer. */
    traceId: task.traceId ?? null,
  }
}

function omitAt(h: Task['history'][number]) {
  const { atMs: _atMs, state: _state, ...rest } = h
  return rest
}
