/**
 * The ledger's state machine: applies a batch of transfers to the accounts and transfers the store
 * loaded (and locked), and answers each item with its own result. Pure: the store persists what it
 * answers, inside the same transaction.
 */
import { chargeBudgets, countsAgainstBudget, releaseBudgets } from './budget-rules.js'
import type {
  Account,
  Budget,
  PendingState,
  Transfer,
  TransferInput,
  TransferResult,
  TransferResultCode,
} from './types.js'

/** An internal operation: release a pending transfer whose timeout has passed. */
export interface ExpireOp {
  kind: 'expire'
  id: string
  pendingId: string
  linked?: false
}

export type LedgerOp = TransferInput | ExpireOp

/** What the store loaded: every account the batch may touch, and the transfers its ids name. */
export interface LedgerState {
  accounts: ReadonlyMap<string, Account>
  transfers: ReadonlyMap<string, Transfer>
}

/** What the store must persist. */
export interface BatchOutcome {
  results: TransferResult[]
  changedAccounts: Account[]
  createdTransfers: Transfer[]
  /** Pending transfers whose state changed, by id. */
  resolved: Map<string, PendingState>
}

const success = (result: TransferResultCode): boolean => result === 'ok' || result === 'exists'

type Undo =
  | { map: 'accounts'; id: string; prev: Account }
  | { map: 'transfers'; id: string; prev: Transfer | undefined }

/** Working copies with an undo log, so a failed linked chain leaves no trace. */
class Working {
  readonly accounts: Map<string, Account>
  readonly transfers: Map<string, Transfer>
  readonly #undo: Undo[] = []

  constructor(state: LedgerState) {
    this.accounts = new Map(state.accounts)
    this.transfers = new Map(state.transfers)
  }

  mark(): number {
    return this.#undo.length
  }

  setAccount(account: Account): void {
    const prev = this.accounts.get(account.id)
    if (!prev) throw new Error(`Account "${account.id}" was not loaded`)
    this.#undo.push({ map: 'accounts', id: account.id, prev })
    this.accounts.set(account.id, account)
  }

  setTransfer(transfer: Transfer): void {
    this.#undo.push({ map: 'transfers', id: transfer.id, prev: this.transfers.get(transfer.id) })
    this.transfers.set(transfer.id, transfer)
  }

  rollback(mark: number): void {
    while (this.#undo.length > mark) {
      const undo = this.#undo.pop()!
      if (undo.map === 'accounts') this.accounts.set(undo.id, undo.prev)
      else if (undo.prev) this.transfers.set(undo.id, undo.prev)
      else this.transfers.delete(undo.id)
    }
  }
}

function sameFields(existing: Transfer, op: TransferInput): boolean {
  if (existing.kind !== op.kind) return false
  switch (op.kind) {
    case 'posted':
    case 'pending':
      return (
        existing.debitAccount === op.debitAccount &&
        existing.creditAccount === op.creditAccount &&
        existing.amountMicros === op.amountMicros &&
        existing.code === op.code &&
        existing.reference === (op.reference ?? null) &&
        existing.timeoutMs === (op.kind === 'pending' ? op.timeoutMs : null)
      )
    case 'post':
      return (
        existing.pendingId === op.pendingId &&
        (op.amountMicros === undefined || existing.amountMicros === op.amountMicros)
      )
    case 'void':
      return existing.pendingId === op.pendingId
  }
}

/** Applies one operation; on failure it changes nothing. */
function applyOne(w: Working, op: LedgerOp, nowMs: number): TransferResult {
  const fail = (result: TransferResultCode): TransferResult => ({ id: op.id, result })
  if (op.kind !== 'expire') {
    const existing = w.transfers.get(op.id)
    if (existing) {
      return sameFields(existing, op)
        ? { id: op.id, result: 'exists', transfer: existing }
        : fail('exists_with_different_fields')
    }
  }
  if (op.kind === 'posted' || op.kind === 'pending') {
    const debit = w.accounts.get(op.debitAccount)
    const credit = w.accounts.get(op.creditAccount)
    if (!debit || !credit) return fail('invalid_account')
    if (debit.id === credit.id) return fail('accounts_must_be_different')
    if (debit.currency !== credit.currency) return fail('currency_mismatch')
    if (op.amountMicros <= 0n) return fail('amount_must_be_positive')
    const timeoutMs = op.kind === 'pending' ? op.timeoutMs : undefined
    if (timeoutMs !== undefined && (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0))
      return fail('invalid_timeout')
    const amount = op.amountMicros
    if (
      debit.noOverdraft &&
      debit.debitsPosted + debit.debitsPending + amount > debit.creditsPosted
    )
      return fail('insufficient_funds')
    let budgets: Budget[] | undefined = debit.budgets
    if (budgets.length > 0 && countsAgainstBudget(op.kind, op.code)) {
      budgets = chargeBudgets(budgets, amount, nowMs)
      if (!budgets) return fail('budget_exceeded')
    }
    const pending = op.kind === 'pending'
    w.setAccount({
      ...debit,
      budgets,
      ...(pending
        ? { debitsPending: debit.debitsPending + amount }
        : { debitsPosted: debit.debitsPosted + amount }),
    })
    const creditNow = w.accounts.get(credit.id)!
    w.setAccount(
      pending
        ? { ...creditNow, creditsPending: creditNow.creditsPending + amount }
        : { ...creditNow, creditsPosted: creditNow.creditsPosted + amount },
    )
    const transfer: Transfer = {
      id: op.id,
      kind: op.kind,
      debitAccount: debit.id,
      creditAccount: credit.id,
      amountMicros: amount,
      currency: debit.currency,
      code: op.code,
      reference: op.reference ?? null,
      pendingId: null,
      timeoutMs: timeoutMs ?? null,
      expiresAtMs: timeoutMs === undefined ? null : nowMs + timeoutMs,
      state: pending ? 'pending' : null,
      createdAtMs: nowMs,
    }
    w.setTransfer(transfer)
    return { id: op.id, result: 'ok', transfer }
  }
  return resolvePending(w, op, nowMs)
}

/** Post, void or expire a pending transfer. */
function resolvePending(
  w: Working,
  op: Extract<LedgerOp, { kind: 'post' | 'void' | 'expire' }>,
  nowMs: number,
): TransferResult {
  const fail = (result: TransferResultCode): TransferResult => ({ id: op.id, result })
  const pending = w.transfers.get(op.pendingId)
  if (!pending || pending.kind !== 'pending') return fail('pending_not_found')
  if (pending.state === 'posted') return fail('pending_already_posted')
  if (pending.state === 'voided') return fail('pending_already_voided')
  const expired = pending.expiresAtMs !== null && pending.expiresAtMs <= nowMs
  if (pending.state === 'expired' || (expired && op.kind !== 'expire'))
    return fail('pending_expired')
  if (op.kind === 'expire' && !expired) return fail('pending_not_found')
  const held = pending.amountMicros
  const paid = op.kind === 'post' ? (op.amountMicros ?? held) : 0n
  if (paid < 0n) return fail('amount_must_be_positive')
  if (paid > held) return fail('exceeds_pending_amount')

  const debit = w.accounts.get(pending.debitAccount)
  const credit0 = w.accounts.get(pending.creditAccount)
  if (!debit || !credit0) return fail('invalid_account')
  w.setAccount({
    ...debit,
    budgets: releaseBudgets(debit.budgets, held - paid, pending.createdAtMs, nowMs),
    debitsPending: debit.debitsPending - held,
    debitsPosted: debit.debitsPosted + paid,
  })
  const credit = w.accounts.get(credit0.id)!
  w.setAccount({
    ...credit,
    creditsPending: credit.creditsPending - held,
    creditsPosted: credit.creditsPosted + paid,
  })
  const state: PendingState =
    op.kind === 'post' ? 'posted' : op.kind === 'void' ? 'voided' : 'expired'
  const updated = { ...pending, state }
  w.setTransfer(updated)
  if (op.kind === 'expire') return { id: op.id, result: 'ok', transfer: updated }
  const transfer: Transfer = {
    id: op.id,
    kind: op.kind,
    debitAccount: pending.debitAccount,
    creditAccount: pending.creditAccount,
    amountMicros: op.kind === 'post' ? paid : held,
    currency: pending.currency,
    code: pending.code,
    reference: pending.reference,
    pendingId: pending.id,
    timeoutMs: null,
    expiresAtMs: null,
    state: null,
    createdAtMs: nowMs,
  }
  w.setTransfer(transfer)
  return { id: op.id, result: 'ok', transfer }
}

/**
 * Applies a batch in order. A run of items with `linked` set, up to and including the first item
 * without it, succeeds or fails as one: when one fails, it keeps its own result and the others
 * answer `linked_event_failed`. A chain still open at the end answers `linked_event_chain_open`.
 */
export function applyBatch(
  state: LedgerState,
  ops: readonly LedgerOp[],
  nowMs: number,
): BatchOutcome {
  const w = new Working(state)
  const results: TransferResult[] = []
  let i = 0
  while (i < ops.length) {
    let end = i
    while (end < ops.length && ops[end]!.linked === true) end++
    if (end === ops.length) {
      for (let k = i; k < ops.length; k++)
        results.push({ id: ops[k]!.id, result: 'linked_event_chain_open' })
      break
    }
    const mark = w.mark()
    const chain: TransferResult[] = []
    for (let k = i; k <= end; k++) {
      const result = applyOne(w, ops[k]!, nowMs)
      chain.push(result)
      if (!success(result.result)) break
    }
    const failed = chain.find((r) => !success(r.result))
    if (failed) {
      w.rollback(mark)
      for (let k = i; k <= end; k++) {
        const own = chain[k - i]
        results.push(own === failed ? failed : { id: ops[k]!.id, result: 'linked_event_failed' })
      }
    } else {
      results.push(...chain)
    }
    i = end + 1
  }
  return collect(state, w, results)
}

function collect(state: LedgerState, w: Working, results: TransferResult[]): BatchOutcome {
  const changedAccounts = [...w.accounts.values()].filter((a) => state.accounts.get(a.id) !== a)
  const createdTransfers: Transfer[] = []
  const resolved = new Map<string, PendingState>()
  for (const t of w.transfers.values()) {
    const before = state.transfers.get(t.id)
    if (!before) createdTransfers.push(t)
    else if (before !== t && t.state !== null) resolved.set(t.id, t.state)
  }
  return { results, changedAccounts, createdTransfers, resolved }
}
