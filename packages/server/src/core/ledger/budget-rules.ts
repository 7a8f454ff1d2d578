/**
 * Budget rules: a cap on what an account may commit per UTC day, per UTC month, or in all (`none`
 * never resets). Periods roll over lazily, from the time the clock port gives.
 */
import type { Budget, BudgetPeriod, TransferCode, TransferKind } from './types.js'

/** The start of the period that contains `nowMs` (0 for `none`). */
export function periodStartMs(period: BudgetPeriod, nowMs: number): number {
  if (period === 'none') return 0
  const date = new Date(nowMs)
  const day = period === 'day' ? date.getUTCDate() : 1
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), day)
}

/** When the period that started at `startMs` ends; `null` for `none`. */
export function periodEndMs(period: BudgetPeriod, startMs: number): number | null {
  if (period === 'none') return null
  const date = new Date(startMs)
  return period === 'day'
    ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1)
    : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)
}

/** The budget as of `nowMs`: a new period starts with nothing spent. */
export function rollBudget(budget: Budget, nowMs: number): Budget {
  const start = periodStartMs(budget.period, nowMs)
  return start === budget.periodStartMs
    ? budget
    : { ...budget, spentMicros: 0n, periodStartMs: start }
}

/**
 * Whether a transfer counts against its debit account's budget: every reservation (pending), and
 * posted transfers a principal makes (transfers, payments, subscriptions). Mints, fees and refunds
 * do not.
 */
export function countsAgainstBudget(kind: TransferKind, code: TransferCode): boolean {
  if (kind === 'pending') return true
  return kind === 'posted' && (code === 'transfer' || code === 'payment' || code === 'subscription')
}

/** Charges `amountMicros`, or answers `undefined` when it would exceed the limit. */
export function chargeBudget(
  budget: Budget,
  amountMicros: bigint,
  nowMs: number,
): Budget | undefined {
  const current = rollBudget(budget, nowMs)
  const spent = current.spentMicros + amountMicros
  return spent > current.limitMicros ? undefined : { ...current, spentMicros: spent }
}

/**
 * Gives back what a reservation charged and did not pay, when it was charged in the current
 * period (a reservation from an earlier period was forgotten at the reset).
 */
export function releaseBudget(
  budget: Budget,
  amountMicros: bigint,
  chargedAtMs: number,
  nowMs: number,
): Budget {
  const current = rollBudget(budget, nowMs)
  if (amountMicros <= 0n || chargedAtMs < current.periodStartMs) return current
  const spent = current.spentMicros - amountMicros
  return { ...current, spentMicros: spent < 0n ? 0n : spent }
}
