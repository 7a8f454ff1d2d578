import type { Account, PendingState, Transfer, TransferCode } from './types.js'

/**
 * One ledger transaction. On PostgreSQL the accounts it loads stay locked (rows locked in id order)
 * until it commits, so two writers that touch one account take turns.
 */
export interface LedgerTransaction {
  /** The transfers with these ids that exist (pending ones with their current state). */
  transfers(ids: string[]): Promise<Map<string, Transfer>>
  /** Creates the accounts that do not exist yet (as given), then loads and locks all of them. */
  lockAccounts(accounts: Account[]): Promise<Map<string, Account>>
  saveAccounts(accounts: Account[]): Promise<void>
  insertTransfers(transfers: Transfer[]): Promise<void>
  setPendingStates(states: Map<string, PendingState>): Promise<void>
  /** Visits the transfers out of an account created at or after `sinceMs`, page by page. */
  debitsSince(accountId: string, sinceMs: number, visit: (page: Transfer[]) => void): Promise<void>
}

/** The ledger's storage. Amounts are `bigint` micro-units; the store decides how to keep them. */
export interface LedgerStore {
  /**
   * Runs `work` in one database transaction. When a concurrent writer makes it conflict (a
   * duplicate transfer id, a deadlock), it rolls back and runs `work` again from the start.
   */
  transaction<T>(work: (tx: LedgerTransaction) => Promise<T>): Promise<T>
  account(id: string): Promise<Account | undefined>
  accountsOf(owner: string): Promise<Account[]>
  transfer(id: string): Promise<Transfer | undefined>
  /** Transfers that debit or credit the account, newest first, strictly before the cursor. */
  accountTransfers(
    accountId: string,
    page: { limit: number; before?: { createdAtMs: number; id: string } },
  ): Promise<Transfer[]>
  /** Ids of pending transfers whose timeout has passed, oldest first. */
  duePending(nowMs: number, limit: number): Promise<string[]>
  /** Reads every account and every transfer from one consistent snapshot, transfers page by page. */
  scan(visit: {
    accounts(accounts: Account[]): void
    transfers(transfers: Transfer[]): void
  }): Promise<void>
  /** Pending transfers (still held) of a code, by id, strictly after `afterId`. */
  heldTransfers(code: TransferCode, afterId: string, limit: number): Promise<Transfer[]>
}
