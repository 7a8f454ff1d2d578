/**
 * The ledger's vocabulary, after TigerBeetle: accounts with four running totals per currency and
 * transfers with client-chosen ids. Amounts are `bigint` micro-units everywhere.
 */
import { isDid } from '@agentmesh/protocol'

/** What a transfer is for. */
export type TransferCode =
  'mint' | 'escrow' | 'payment' | 'fee' | 'refund' | 'transfer' | 'subscription'

/**
 * `posted` moves money at once; `pending` holds it until a `post` (all or part) or a `void`
 * resolves it, or its timeout passes.
 */
export type TransferKind = 'posted' | 'pending' | 'post' | 'void'

/** Where a pending transfer stands; `null` for the other kinds. */
export type PendingState = 'pending' | 'posted' | 'voided' | 'expired'

export type BudgetPeriod = 'day' | 'month' | 'none'

/** Who set a budget's limit: an admin's binds the owner, who may only add a lower one. */
export type BudgetAuthority = 'admin' | 'owner'

/**
 * A spending cap on one account for one period, reset at period boundaries (UTC). An account has
 * at most one per period; all of them apply. Each keeps the admin's limit and the owner's apart,
 * and the lower one applies, so the owner can never lift what an admin set.
 */
export interface Budget {
  period: BudgetPeriod
  adminLimitMicros: bigint | null
  ownerLimitMicros: bigint | null
  /** What was committed since `periodStartMs`: reservations still held plus what they paid. */
  spentMicros: bigint
  periodStartMs: number
}

export interface Account {
  /** `OWNER:CURRENCY`, e.g. `did:key:z6Mk…:USD` or `system:mint:USD`. */
  id: string
  owner: string
  currency: string
  /** When set, debits (posted and pending) may never exceed posted credits. */
  noOverdraft: boolean
  debitsPosted: bigint
  creditsPosted: bigint
  debitsPending: bigint
  creditsPending: bigint
  /** At most one per period. */
  budgets: Budget[]
  createdAtMs: number
}

export interface Transfer {
  id: string
  kind: TransferKind
  debitAccount: string
  creditAccount: string
  amountMicros: bigint
  currency: string
  code: TransferCode
  /** What the money is for (a task id, or the transfer a refund reverses). */
  reference: string | null
  /** For `post` and `void`: the pending transfer they resolve. */
  pendingId: string | null
  /** For `pending`: its timeout and when it expires. */
  timeoutMs: number | null
  expiresAtMs: number | null
  state: PendingState | null
  createdAtMs: number
}

interface NewTransfer {
  id: string
  debitAccount: string
  creditAccount: string
  amountMicros: bigint
  code: TransferCode
  reference?: string
  linked?: boolean
}

/** A transfer to create. Linked items succeed or fail together up to the first unlinked one. */
export type TransferInput =
  | (NewTransfer & { kind: 'posted' })
  | (NewTransfer & { kind: 'pending'; timeoutMs: number })
  | {
      kind: 'post'
      id: string
      pendingId: string
      /** Defaults to the whole pending amount; the rest returns to the debit account. */
      amountMicros?: bigint
      linked?: boolean
    }
  | { kind: 'void'; id: string; pendingId: string; linked?: boolean }

/** Per-item outcome of a batch; only `ok` and `exists` are successes. */
export type TransferResultCode =
  | 'ok'
  | 'exists'
  | 'exists_with_different_fields'
  | 'linked_event_failed'
  | 'linked_event_chain_open'
  | 'invalid_account'
  | 'accounts_must_be_different'
  | 'currency_mismatch'
  | 'amount_must_be_positive'
  | 'invalid_timeout'
  | 'insufficient_funds'
  | 'budget_exceeded'
  | 'pending_not_found'
  | 'pending_already_posted'
  | 'pending_already_voided'
  | 'pending_expired'
  | 'exceeds_pending_amount'

export interface TransferResult {
  id: string
  result: TransferResultCode
  /** The stored transfer, for `ok` and `exists`. */
  transfer?: Transfer
}

/** The system accounts' owners: money enters through mint; fees and escrow hold the platform's part. */
export const SYSTEM = {
  mint: 'system:mint',
  fees: 'system:fees',
  escrow: 'system:escrow',
} as const

const systemOwners: readonly string[] = Object.values(SYSTEM)
const CURRENCY = /^[A-Z][A-Z0-9]{2,9}$/

/** The id of an owner's account in a currency. */
export function accountId(owner: string, currency: string): string {
  return `${owner}:${currency}`
}

/** Splits an account id into owner and currency; `undefined` when it names no valid account. */
export function parseAccountId(id: string): { owner: string; currency: string } | undefined {
  const cut = id.lastIndexOf(':')
  if (cut <= 0) return undefined
  const owner = id.slice(0, cut)
  const currency = id.slice(cut + 1)
  if (!CURRENCY.test(currency)) return undefined
  if (!systemOwners.includes(owner) && !isDid(owner)) return undefined
  return { owner, currency }
}

/** A fresh account with zero balances; only the mint may go negative. */
export function newAccount(id: string, nowMs: number): Account | undefined {
  const parsed = parseAccountId(id)
  if (!parsed) return undefined
  return {
    id,
    ...parsed,
    noOverdraft: parsed.owner !== SYSTEM.mint,
    debitsPosted: 0n,
    creditsPosted: 0n,
    debitsPending: 0n,
    creditsPending: 0n,
    budgets: [],
    createdAtMs: nowMs,
  }
}

/** Posted credits less posted and pending debits: what the owner may still spend. */
export function availableMicros(account: Account): bigint {
  return account.creditsPosted - account.debitsPosted - account.debitsPending
}
