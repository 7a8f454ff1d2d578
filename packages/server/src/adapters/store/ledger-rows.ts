import type { Selectable } from 'kysely'
import type {
  Account,
  BudgetPeriod,
  PendingState,
  Transfer,
  TransferCode,
  TransferKind,
} from '../../core/ledger/types.js'
import { toMs, toMsOrNull, type Database } from './database.js'

type AccountRow = Selectable<Database['ledger_accounts']>
type TransferRow = Selectable<Database['ledger_transfers']>

/** Amounts travel as decimal integer strings of micro-units (see migration 0004). */
export function accountFromRow(row: AccountRow): Account {
  return {
    id: row.id,
    owner: row.owner,
    currency: row.currency,
    noOverdraft: Number(row.no_overdraft) === 1,
    debitsPosted: BigInt(row.debits_posted),
    creditsPosted: BigInt(row.credits_posted),
    debitsPending: BigInt(row.debits_pending),
    creditsPending: BigInt(row.credits_pending),
    budget:
      row.budget_limit === null
        ? null
        : {
            limitMicros: BigInt(row.budget_limit),
            period: row.budget_period as BudgetPeriod,
            spentMicros: BigInt(row.budget_spent),
            periodStartMs: toMs(row.budget_period_start),
          },
    createdAtMs: toMs(row.created_at),
  }
}

export function accountToRow(a: Account): AccountRow {
  return {
    id: a.id,
    owner: a.owner,
    currency: a.currency,
    no_overdraft: a.noOverdraft ? 1 : 0,
    debits_posted: a.debitsPosted.toString(),
    credits_posted: a.creditsPosted.toString(),
    debits_pending: a.debitsPending.toString(),
    credits_pending: a.creditsPending.toString(),
    budget_limit: a.budget ? a.budget.limitMicros.toString() : null,
    budget_period: a.budget ? a.budget.period : null,
    budget_spent: a.budget ? a.budget.spentMicros.toString() : '0',
    budget_period_start: a.budget ? a.budget.periodStartMs : 0,
    created_at: a.createdAtMs,
  }
}

export function transferFromRow(row: TransferRow): Transfer {
  return {
    id: row.id,
    kind: row.kind as TransferKind,
    debitAccount: row.debit_account,
    creditAccount: row.credit_account,
    amountMicros: BigInt(row.amount),
    currency: row.currency,
    code: row.code as TransferCode,
    reference: row.reference,
    pendingId: row.pending_id,
    timeoutMs: toMsOrNull(row.timeout_ms),
    expiresAtMs: toMsOrNull(row.expires_at),
    state: row.state as PendingState | null,
    createdAtMs: toMs(row.created_at),
  }
}

export function transferToRow(t: Transfer): TransferRow {
  return {
    id: t.id,
    kind: t.kind,
    debit_account: t.debitAccount,
    credit_account: t.creditAccount,
    amount: t.amountMicros.toString(),
    currency: t.currency,
    code: t.code,
    reference: t.reference,
    pending_id: t.pendingId,
    timeout_ms: t.timeoutMs,
    expires_at: t.expiresAtMs,
    state: t.state,
    created_at: t.createdAtMs,
  }
}
