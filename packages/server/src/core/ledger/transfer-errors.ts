import { formatAmount, MeshError, type ErrorCode } from '@agentmesh/protocol'
import type { TransferInput, TransferResult, TransferResultCode } from './types.js'

const codes: Record<Exclude<TransferResultCode, 'ok' | 'exists'>, ErrorCode> = {
  exists_with_different_fields: 'TRANSFER_CONFLICT',
  linked_event_failed: 'LINKED_TRANSFER_FAILED',
  linked_event_chain_open: 'INVALID_INPUT',
  invalid_account: 'INVALID_INPUT',
  accounts_must_be_different: 'INVALID_INPUT',
  currency_mismatch: 'CURRENCY_MISMATCH',
  amount_must_be_positive: 'INVALID_AMOUNT',
  invalid_timeout: 'INVALID_INPUT',
  insufficient_funds: 'INSUFFICIENT_FUNDS',
  budget_exceeded: 'BUDGET_EXCEEDED',
  pending_not_found: 'TRANSFER_NOT_FOUND',
  pending_already_posted: 'PENDING_ALREADY_RESOLVED',
  pending_already_voided: 'PENDING_ALREADY_RESOLVED',
  pending_expired: 'PENDING_EXPIRED',
  exceeds_pending_amount: 'AMOUNT_EXCEEDS_PENDING',
}

const messages: Record<Exclude<TransferResultCode, 'ok' | 'exists'>, string> = {
  exists_with_different_fields: 'exists already with other fields',
  linked_event_failed: 'failed because a transfer linked to it failed',
  linked_event_chain_open: 'is linked to a transfer that does not follow',
  invalid_account: 'names an account id that is not OWNER:CURRENCY',
  accounts_must_be_different: 'debits and credits the same account',
  currency_mismatch: 'moves money between accounts of different currencies',
  amount_must_be_positive: 'needs a positive amount',
  invalid_timeout: 'needs a positive timeoutMs',
  insufficient_funds: 'exceeds the available balance of its debit account',
  budget_exceeded: "exceeds the budget of its debit account's owner",
  pending_not_found: 'resolves a pending transfer that does not exist',
  pending_already_posted: 'resolves a pending transfer that was posted already',
  pending_already_voided: 'resolves a pending transfer that was voided already',
  pending_expired: 'resolves a pending transfer whose timeout has passed',
  exceeds_pending_amount: 'posts more than its pending transfer holds',
}

/** Whether a batch result is a success (`ok`, or `exists` for a retried transfer). */
export function succeeded(result: TransferResult): boolean {
  return result.result === 'ok' || result.result === 'exists'
}

/** The catalogue error for a failed batch result, quoting the transfer. */
export function transferError(result: TransferResult, input?: TransferInput): MeshError {
  if (succeeded(result)) throw new Error(`Transfer "${result.id}" did not fail`)
  const failure = result.result as keyof typeof codes
  const amount =
    input && 'amountMicros' in input && input.amountMicros !== undefined
      ? ` (${formatAmount(input.amountMicros)})`
      : ''
  return new MeshError(codes[failure], `Transfer "${result.id}"${amount} ${messages[failure]}`, {
    details: { transferId: result.id, result: result.result },
  })
}

/** The catalogue code a failed result maps to, for batch answers. */
export function errorCodeOf(result: TransferResultCode): ErrorCode | undefined {
  return result === 'ok' || result === 'exists' ? undefined : codes[result]
}
