import {
  MeshError,
  moneySchema,
  toMoney,
  type AccountBalance,
  type LedgerTransfer,
  type Money,
} from '@agentmesh/protocol'
import type { Caller } from '../../core/auth/caller.js'
import {
  availableMicros,
  parseAccountId,
  type Account,
  type Transfer,
} from '../../core/ledger/types.js'

const iso = (ms: number): string => new Date(ms).toISOString()

/** An account on the wire: balances as money. */
export function accountView(a: Account): AccountBalance {
  return {
    id: a.id,
    owner: a.owner,
    currency: a.currency,
    posted: toMoney(a.creditsPosted - a.debitsPosted, a.currency),
    pending: toMoney(a.debitsPending, a.currency),
    incoming: toMoney(a.creditsPending, a.currency),
    available: toMoney(availableMicros(a), a.currency),
    noOverdraft: a.noOverdraft,
  }
}

export const accountViewSchema = {
  type: 'object',
  description:
    '`posted` is posted credits less posted debits; `pending` is held by pending transfers out of the account; `incoming` is pending into it; `available` = posted − pending.',
  properties: {
    id: { type: 'string' },
    owner: { type: 'string' },
    currency: { type: 'string' },
    posted: moneySchema,
    pending: moneySchema,
    incoming: moneySchema,
    available: moneySchema,
    noOverdraft: { type: 'boolean' },
  },
} as const

/** Stored ids as `viewer` sees them: its own client-chosen ids without their scope (`DID/`). */
export const shownTransferId = (id: string, viewer: string | undefined): string =>
  viewer !== undefined && id.startsWith(`${viewer}/`) ? id.slice(viewer.length + 1) : id

/** A transfer on the wire, as `viewer` (the caller's DID) sees it. */
export function transferView(t: Transfer, viewer?: string): LedgerTransfer {
  return {
    id: shownTransferId(t.id, viewer),
    kind: t.kind,
    debitAccount: t.debitAccount,
    creditAccount: t.creditAccount,
    amount: toMoney(t.amountMicros, t.currency),
    code: t.code,
    ...(t.reference === null ? {} : { reference: t.reference }),
    ...(t.pendingId === null ? {} : { pendingId: shownTransferId(t.pendingId, viewer) }),
    ...(t.timeoutMs === null ? {} : { timeoutMs: t.timeoutMs }),
    ...(t.expiresAtMs === null ? {} : { expiresAt: iso(t.expiresAtMs) }),
    ...(t.state === null ? {} : { state: t.state }),
    createdAt: iso(t.createdAtMs),
  }
}

export const transferViewSchema = {
  type: 'object',
  properties: {
    id: {
      type: 'string',
      description:
        "Your own ids as you chose them; another principal's as `DID/ID`; the node's contain a colon",
    },
    kind: { enum: ['posted', 'pending', 'post', 'void'] },
    debitAccount: { type: 'string' },
    creditAccount: { type: 'string' },
    amount: moneySchema,
    code: { type: 'string' },
    reference: { type: 'string' },
    pendingId: { type: 'string' },
    timeoutMs: { type: 'integer' },
    expiresAt: { type: 'string' },
    state: { enum: ['pending', 'posted', 'voided', 'expired'] },
    createdAt: { type: 'string' },
  },
} as const

export const isAdmin = (caller: Caller): boolean => caller.roles.includes('admin')

/** Parses an account id or answers 400. */
export function accountOf(id: string): { owner: string; currency: string } {
  const parsed = parseAccountId(id)
  if (!parsed)
    throw new MeshError(
      'INVALID_INPUT',
      `Account "${id}" is not OWNER:CURRENCY, e.g. "did:key:z6Mk…:USD"`,
    )
  return parsed
}

/** Throws 403 unless the caller owns the account or is an admin. */
export function requireOwner(caller: Caller, id: string, doing: string): void {
  if (isAdmin(caller)) return
  if (accountOf(id).owner !== caller.did)
    throw new MeshError('FORBIDDEN', `Only the owner of account "${id}" or an admin may ${doing}`)
}

/** Checks that wire money is in the account's currency and one the node accepts. */
export function moneyFor(money: Money, currency: string, accepted: string[]): void {
  if (!accepted.includes(money.currency))
    throw new MeshError(
      'CURRENCY_MISMATCH',
      `Currency "${money.currency}" is not accepted by this node`,
    )
  if (money.currency !== currency)
    throw new MeshError(
      'CURRENCY_MISMATCH',
      `Amount is in "${money.currency}" but the account holds "${currency}"`,
    )
}
