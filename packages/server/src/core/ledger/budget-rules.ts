/**
 * Budget rules: caps on what an account may commit per UTC day, per UTC month, or in all (`none`
 * never resets); every cap an account has applies. Periods roll over lazily, from the time the
 * clock port gives.
 */
import type { Budget, BudgetPeriod, Transfer, TransferCode, TransferKind } from './types.js'

/** The limit that applies: the lower of the admin's and the owner's. */
export function budgetLimit(budget: Budget): bigint {
  const { adminLimitMicros: admin, ownerLimitMicros: owner } = budget
  if (admin === null) return owner ?? 0n
  return owner === null || admin < owner ? admin : owner
}

const periodRank: Record<BudgetPeriod, number> = { day: 0, month: 1, none: 2 }

/** Whether a budget of period `other` spans any `period` (it is the same period or a longer one). */
export function within(period: BudgetPeriod, other: BudgetPeriod): boolean {
  return periodRank[other] >= periodRank[period]
}

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

/** Charges `amountMicros` to every budget, or answers `undefined` when one would exceed its limit. */
export function chargeBudgets(
  budgets: Budget[],
  amountMicros: bigint,
  nowMs: number,
): Budget[] | undefined {
  const charged: Budget[] = []
  for (const budget of budgets) {
    const current = rollBudget(budget, nowMs)
    const spent = current.spentMicros + amountMicros
    if (spent > budgetLimit(current)) return undefined
    charged.push({ ...current, spentMicros: spent })
  }
  return charged
}

/**
 * Gives back what a reservation charged and did not pay, to each budget whose current period it
 * was charged in (a reservation from an earlier period was forgotten at the reset).
 */
export function releaseBudgets(
  budgets: Budget[],
  amountMicros: bigint,
  chargedAtMs: number,
  nowMs: number,
): Budget[] {
  return budgets.map((budget) => {
    const current = rollBudget(budget, nowMs)
    if (amountMicros <= 0n || chargedAtMs < current.periodStartMs) return current
    const spent = current.spentMicros - amountMicros
    return { ...current, spentMicros: spent < 0n ? 0n : spent }
  })
}

/**
 * What an account's transfers since `sinceMs` charged to a budget, by the rules above, so that a
 * new budget starts from what was already spent in its period. Feed it every transfer out of the
 * account created since then (posts included: they name their pending transfer), in any order.
 */
export class SpendingSince {
  readonly #sinceMs: number
  readonly #held = new Set<string>()
  readonly #posted = new Map<string, bigint>()
  #spentMicros = 0n

  constructor(sinceMs: number) {
    this.#sinceMs = sinceMs
  }

  add(t: Transfer): void {
    if (t.createdAtMs < this.#sinceMs) return
    if (t.kind === 'post') this.#posted.set(t.pendingId ?? '', t.amountMicros)
    else if (t.kind === 'pending') {
      this.#held.add(t.id)
      if (t.state === 'pending') this.#spentMicros += t.amountMicros
    } else if (countsAgainstBudget(t.kind, t.code)) this.#spentMicros += t.amountMicros
  }

  /** Reservations still held, what reservations made in the period paid, and payments. */
  get spentMicros(): bigint {
    let spent = this.#spentMicros
    for (const [pendingId, paid] of this.#posted) if (this.#held.has(pendingId)) spent += paid
    return spent
  }
}
