import { isDid, MeshError } from '@agentmesh/protocol'
import type { Clock } from '../ports/clock.js'
import type { LedgerService } from './ledger-service.js'
import { periodEndMs, periodStartMs, rollBudget } from './budget-rules.js'
import { accountId, type Budget, type BudgetPeriod } from './types.js'

/** A principal's budget in one currency, as of now. */
export interface BudgetView {
  principal: string
  currency: string
  limitMicros: bigint
  period: BudgetPeriod
  spentMicros: bigint
  periodStartMs: number | null
  resetsAtMs: number | null
}

function view(principal: string, currency: string, budget: Budget, nowMs: number): BudgetView {
  const current = rollBudget(budget, nowMs)
  return {
    principal,
    currency,
    limitMicros: current.limitMicros,
    period: current.period,
    spentMicros: current.spentMicros,
    periodStartMs: current.period === 'none' ? null : current.periodStartMs,
    resetsAtMs: periodEndMs(current.period, current.periodStartMs),
  }
}

/**
 * Budgets: a principal's cap per currency on what it commits (reservations and payments) per day,
 * per month, or in all. Kept on the account row, so the ledger checks it under the same lock as
 * the balance, when funds are reserved.
 */
export class BudgetService {
  readonly #ledger: LedgerService
  readonly #clock: Clock

  constructor(ledger: LedgerService, clock: Clock) {
    this.#ledger = ledger
    this.#clock = clock
  }

  /** Sets (or replaces) the budget; what was spent in the current period still counts. */
  async set(
    principal: string,
    input: { limitMicros: bigint; currency: string; period: BudgetPeriod },
  ): Promise<BudgetView> {
    if (!isDid(principal))
      throw new MeshError('INVALID_DID', `DID "${String(principal)}" is not an Ed25519 did:key`)
    const id = accountId(principal, input.currency)
    return this.#ledger.withAccounts([id], async (accounts, tx, nowMs) => {
      const account = accounts.get(id)!
      const start = periodStartMs(input.period, nowMs)
      const before = account.budget && rollBudget(account.budget, nowMs)
      const spentMicros =
        before && before.period === input.period && before.periodStartMs === start
          ? before.spentMicros
          : 0n
      const budget: Budget = {
        limitMicros: input.limitMicros,
        period: input.period,
        spentMicros,
        periodStartMs: start,
      }
      await tx.saveAccounts([{ ...account, budget }])
      return view(principal, input.currency, budget, nowMs)
    })
  }

  /** The principal's budgets, one per currency that has one. */
  async list(principal: string): Promise<BudgetView[]> {
    const nowMs = this.#clock.now()
    const accounts = await this.#ledger.accountsOf(principal)
    return accounts.flatMap((a) => (a.budget ? [view(principal, a.currency, a.budget, nowMs)] : []))
  }
}
