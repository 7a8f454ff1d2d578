import type { Selectable } from 'kysely'
import type {
  Account,
  Budget,
  BudgetPeriod,
  PendingState,
  Transfer,
  TransferCode,
  TransferKind,
} from '../../core/ledger/types.js'
import { toMs, toMsOrNull, type Database } from './database.js'

type AccountRow = Selectable<Database['ledger_accounts']>
type TransferRow = Selectable<Database['ledger_transfers']>

/** A budget in the `budgets` column: JSON, amounts as decimal integer strings of micro-units. */
interface BudgetJson {
  period: BudgetPeriod
  admin: string | null
  owner: string | null
  spent: string
  start: number
}

const micros = (value: string | null): bigint | null => (value === null ? null : BigInt(value))

function budgetsFromJson(text: string): Budget[] {
  return (JSON.parse(text) as BudgetJson[]).map((b) => ({
    period: b.period,
    adminLimitMicros: micros(b.admin),
    ownerLimitMicros: micros(b.owner),
    spentMicros: BigInt(b.spent),
    periodStartMs: b.start,
  }))
}

function budgetsToJson(budgets: Budget[]): string {
  const rows: BudgetJson[] = budgets.map((b) => ({
    period: b.period,
    admin: b.adminLimitMicros?.toString() ?? null,
    owner: b.ownerLimitMicros?.toString() ?? null,
    spent: b.spentMicros.toString(),
    start: b.periodStartMs,
  }))
  return JSON.stringify(rows)
}

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
    budgets: row.budgets === null ? [] : budgetsFromJson(row.budgets),
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
    budgets: a.budgets.length === 0 ? null : budgetsToJson(a.budgets),
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
