/** Request bodies for transfers, and the checks that turn them into ledger inputs. */
import { MeshError, moneySchema, parseMoney, type Money } from '@agentmesh/protocol'
import type { Caller } from '../../core/auth/caller.js'
import { accountId, SYSTEM, type TransferInput } from '../../core/ledger/types.js'
import type { ApiContext } from '../context.js'
import { accountOf, isAdmin, moneyFor, requireOwner } from './ledger-views.js'

/** Ids chosen by clients; colons are kept for the ids the node makes (`reserve:…`, `grant:…`). */
export const transferId = { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,100}$' } as const
const CLIENT_ID = new RegExp(transferId.pattern)

/**
 * Where a client's transfer id lives: under its owner (`DID/ID`), so that one principal can neither
 * take another's future id nor learn which ids another used. Anything else (the node's own ids,
 * with a colon, or an id already scoped) is taken as it is.
 */
export function scopedTransferId(caller: Caller, id: string): string {
  return CLIENT_ID.test(id) ? `${caller.did}/${id}` : id
}
const account = { type: 'string', minLength: 3, maxLength: 200 } as const
const reference = { type: 'string', minLength: 1, maxLength: 200 } as const

export const transferBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'creditAccount', 'amount'],
  properties: {
    id: transferId,
    debitAccount: { ...account, description: 'Default: the mint account for code "mint"' },
    creditAccount: account,
    amount: moneySchema,
    code: {
      enum: ['transfer', 'mint'],
      default: 'transfer',
      description:
        'The node keeps the other codes (escrow, payment, fee, refund, subscription) for itself',
    },
    reference,
    timeoutMs: {
      type: 'integer',
      minimum: 1,
      maximum: 30 * 24 * 3_600_000,
      description: 'Makes a pending transfer, voided automatically after this long',
    },
    linked: { type: 'boolean', description: 'Batch only: succeeds or fails with the next item' },
  },
} as const
export const postBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'post'],
  properties: {
    id: transferId,
    post: { type: 'string' },
    amount: moneySchema,
    linked: { type: 'boolean' },
  },
} as const
export const voidBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'void'],
  properties: { id: transferId, void: { type: 'string' }, linked: { type: 'boolean' } },
} as const

export interface TransferBody {
  id: string
  debitAccount?: string
  creditAccount: string
  amount: Money
  code?: 'transfer' | 'mint'
  reference?: string
  timeoutMs?: number
  linked?: boolean
}
export type BatchItem =
  | TransferBody
  | { id: string; post: string; amount?: Money; linked?: boolean }
  | { id: string; void: string; linked?: boolean }

/** Checks who may do what and turns a body into a ledger input. */
export async function toInput(
  ctx: ApiContext,
  caller: Caller,
  item: BatchItem,
): Promise<TransferInput> {
  const linked = item.linked === true
  const id = scopedTransferId(caller, item.id)
  if ('post' in item || 'void' in item) {
    const target = 'post' in item ? item.post : item.void
    // A client resolves only its own pending transfers; the node's (task reservations) stay its own.
    const pendingId = isAdmin(caller) ? scopedTransferId(caller, target) : `${caller.did}/${target}`
    const pending = await ctx.ledger.getTransfer(pendingId)
    if (pending) requireOwner(caller, pending.debitAccount, 'resolve its pending transfers')
    if ('void' in item) return { kind: 'void', id, pendingId, linked }
    let amountMicros: bigint | undefined
    if (item.amount) {
      if (pending) moneyFor(item.amount, pending.currency, ctx.currencies)
      amountMicros = parseMoney(item.amount).micros
      if (amountMicros === 0n)
        throw new MeshError(
          'INVALID_AMOUNT',
          `Posting 0 against pending transfer "${target}" moves nothing: void it instead`,
        )
    }
    return {
      kind: 'post',
      id,
      pendingId,
      linked,
      ...(amountMicros === undefined ? {} : { amountMicros }),
    }
  }
  // Defaults are not applied inside the batch's oneOf.
  const code = item.code ?? 'transfer'
  const { currency } = item.amount
  if (code === 'mint' && !isAdmin(caller)) throw new MeshError('FORBIDDEN', 'Only an admin mints')
  const debit =
    item.debitAccount ?? (code === 'mint' ? accountId(SYSTEM.mint, currency) : undefined)
  if (!debit) throw new MeshError('INVALID_INPUT', 'Invalid body: debitAccount is required')
  if ((accountOf(debit).owner === SYSTEM.mint) !== (code === 'mint'))
    throw new MeshError(
      'INVALID_INPUT',
      'Money leaves the mint account with code "mint", and only then',
    )
  requireOwner(caller, debit, 'move money out of it')
  const credit = accountOf(item.creditAccount)
  if (credit.owner.startsWith('system:') && !isAdmin(caller))
    throw new MeshError('FORBIDDEN', `Only an admin credits system account "${item.creditAccount}"`)
  moneyFor(item.amount, accountOf(debit).currency, ctx.currencies)
  moneyFor(item.amount, credit.currency, ctx.currencies)
  const amountMicros = parseMoney(item.amount).micros
  if (amountMicros === 0n) throw new MeshError('INVALID_AMOUNT', 'Amount must be more than zero')
  const common = {
    id,
    debitAccount: debit,
    creditAccount: item.creditAccount,
    amountMicros,
    code,
    linked,
    ...(item.reference === undefined ? {} : { reference: item.reference }),
  }
  return item.timeoutMs === undefined
    ? { ...common, kind: 'posted' }
    : { ...common, kind: 'pending', timeoutMs: item.timeoutMs }
}
