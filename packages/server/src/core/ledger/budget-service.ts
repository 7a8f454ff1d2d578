import { formatAmount, isDid, MeshError } from '@agentmesh/protocol'
import type { Clock } from '../ports/clock.js'
import type { LedgerService } from './ledger-service.js'
import {
  budgetLimit,
  periodEndMs,
  periodStartMs,
  rollBudget,
  SpendingSince,
  within,
} from './budget-rules.js'
import { accountId, type Budget, type BudgetAuthority, type BudgetPeriod } from './types.js'

const periods: readonly BudgetPeriod[] = ['day', 'month', 'none']

/** A principal's budget in one currency and period, as of now. */
export interface BudgetView {
  principal: string
  currency: string
  period: BudgetPeriod
  /** The limit that applies: the lower of the admin's and the owner's. */
  limitMicros: bigint
  adminLimitMicros: bigint | null
  ownerLimitMicros: bigint | null
  spentMicros: bigint
  periodStartMs: number | null
  resetsAtMs: number | null
}

function view(principal: string, currency: string, budget: Budget, nowMs: number): BudgetView {
  const current = rollBudget(budget, nowMs)
  return {
    principal,
    currency,
    period: current.period,
    limitMicros: budgetLimit(current),
    adminLimitMicros: current.adminLimitMicros,
    ownerLimitMicros: current.ownerLimitMicros,
    spentMicros: current.spentMicros,
    periodStartMs: current.period === 'none' ? null : current.periodStartMs,
    resetsAtMs: periodEndMs(current.period, current.periodStartMs),
  }
}

/**
 * Budgets: a principal's caps per currency on what it commits (reservations and payments) per day,
 * per month, or in all; every cap applies. Kept on the account row, so the ledger checks them
 * under the same lock as the balance, when funds are reserved. A limit an admin set binds the
 * principal: it may add its own limits, never above the admin's.
 */
export class BudgetService {
  readonly #ledger: LedgerService
  readonly #clock: Clock

  constructor(ledger: LedgerService, clock: Clock) {
    this.#ledger = ledger
    this.#clock = clock
  }

  /**
   * Sets (or replaces) the `by` limit of the principal's budget for the period. A new budget counts
   * what was already spent in its period. Throws BUDGET_ABOVE_ADMIN_LIMIT when the owner asks for
   * more than an admin allows for the period (or a longer one).
   */
  async set(
    principal: string,
    input: { limitMicros: bigint; currency: string; period: BudgetPeriod },
    by: BudgetAuthority,
  ): Promise<BudgetView> {
    if (!isDid(principal))
      throw new MeshError('INVALID_DID', `DID "${String(principal)}" is not an Ed25519 did:key`)
    const id = accountId(principal, input.currency)
    return this.#ledger.withAccounts([id], async (accounts, tx, nowMs) => {
      const account = accounts.get(id)!
      const budgets = account.budgets.map((b) => rollBudget(b, nowMs))
      if (by === 'owner') {
        for (const b of budgets) {
          if (b.adminLimitMicros === null || !within(input.period, b.period)) continue
          if (input.limitMicros > b.adminLimitMicros)
            throw new MeshError(
              'BUDGET_ABOVE_ADMIN_LIMIT',
              `Limit "${formatAmount(input.limitMicros)} ${input.currency}" per ${input.period} is above the "${formatAmount(b.adminLimitMicros)} ${input.currency}" per ${b.period} an admin set: only a lower one may be set`,
              { details: { period: b.period, adminLimit: formatAmount(b.adminLimitMicros) } },
            )
        }
      }
      let budget = budgets.find((b) => b.period === input.period)
      if (!budget) {
        const start = periodStartMs(input.period, nowMs)
        const spending = new SpendingSince(start)
        await tx.debitsSince(id, start, (page) => page.forEach((t) => spending.add(t)))
        budget = {
          period: input.period,
          adminLimitMicros: null,
          ownerLimitMicros: null,
          spentMicros: spending.spentMicros,
          periodStartMs: start,
        }
      }
      const set: Budget = {
        ...budget,
        ...(by === 'admin'
          ? { adminLimitMicros: input.limitMicros }
          : { ownerLimitMicros: input.limitMicros }),
      }
      const others = budgets.filter((b) => b.period !== input.period)
      const sorted = [...others, set].sort(
        (a, b) => periods.indexOf(a.period) - periods.indexOf(b.period),
      )
      await tx.saveAccounts([{ ...account, budgets: sorted }])
      return view(principal, input.currency, set, nowMs)
    })
  }

  /** The principal's budgets, one per currency and period. */
  async list(principal: string): Promise<BudgetView[]> {
    const nowMs = this.#clock.now()
    const accounts = await this.#ledger.accountsOf(principal)
    return accounts.flatMap((a) => a.budgets.map((b) => view(principal, a.currency, b, nowMs)))
  }
}
