import type { Money } from '@agentmesh/protocol'

/** An account's balances, as money. */
export interface AccountBalance {
  id: string
  owner: string
  currency: string
  posted: Money
  pending: Money
  incoming: Money
  available: Money
}

/** A ledger transfer as the node reports it. */
export interface LedgerTransfer {
  id: string
  kind: 'posted' | 'pending' | 'post' | 'void'
  debitAccount: string
  creditAccount: string
  amount: Money
  code: string
  reference?: string
  pendingId?: string
  state?: 'pending' | 'posted' | 'voided' | 'expired'
  expiresAt?: string
  createdAt: string
}
