import type { Kysely, Transaction } from 'kysely'
import type { Account, PendingState, Transfer } from '../../core/ledger/types.js'
import type { LedgerStore, LedgerTransaction } from '../../core/ports.js'
import type { Database } from './database.js'
import { Prepared, type Param } from './prepared.js'
import { accountFromRow, accountToRow, transferFromRow, transferToRow } from './ledger-rows.js'

const CHUNK = 200
const SCAN_PAGE = 2000
const MAX_ATTEMPTS = 20
/** PostgreSQL errors after which the transaction is simply run again: unique violation, serialization failure, deadlock. */
const RETRYABLE = new Set(['23505', '40001', '40P01'])

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

class KyselyLedgerTransaction implements LedgerTransaction {
  constructor(
    readonly trx: Transaction<Database>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async transfers(ids: string[]): Promise<Map<string, Transfer>> {
    const found = new Map<string, Transfer>()
    for (const part of chunks(ids)) {
      const rows = await this.trx
        .selectFrom('ledger_transfers')
        .selectAll()
        .where('id', 'in', part)
        .execute()
      for (const row of rows) found.set(row.id, transferFromRow(row))
    }
    return found
  }

  async lockAccounts(accounts: Account[]): Promise<Map<string, Account>> {
    const sorted = [...accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const locked = new Map<string, Account>()
    for (const part of chunks(sorted)) {
      await this.trx
        .insertInto('ledger_accounts')
        .values(part.map(accountToRow))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
      let query = this.trx
        .selectFrom('ledger_accounts')
        .selectAll()
        .where(
          'id',
          'in',
          part.map((a) => a.id),
        )
        .orderBy('id')
      if (this.dialect === 'postgres') query = query.forUpdate()
      for (const row of await query.execute()) locked.set(row.id, accountFromRow(row))
    }
    return locked
  }

  async saveAccounts(accounts: Account[]): Promise<void> {
    for (const account of accounts) {
      const {
        id: _id,
        owner: _owner,
        currency: _currency,
        created_at: _created,
        ...row
      } = accountToRow(account)
      await this.trx.updateTable('ledger_accounts').set(row).where('id', '=', account.id).execute()
    }
  }

  async insertTransfers(transfers: Transfer[]): Promise<void> {
    for (const part of chunks(transfers, 100)) {
      await this.trx.insertInto('ledger_transfers').values(part.map(transferToRow)).execute()
    }
  }

  async setPendingStates(states: Map<string, PendingState>): Promise<void> {
    for (const [id, state] of states) {
      await this.trx.updateTable('ledger_transfers').set({ state }).where('id', '=', id).execute()
    }
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && RETRYABLE.has(code)
}

/**
 * The ledger on Kysely. SQLite has one connection, so transactions take turns; on PostgreSQL
 * account rows are locked in id order (`FOR UPDATE`) and a transaction that loses a race on a
 * transfer id, or deadlocks, runs again and then finds the winner's transfer.
 */
export class KyselyLedgerStore implements LedgerStore {
  // Read when every task settles.
  readonly #transfer = new Prepared((p: Param<{ id: string }>) =>
    this.db.selectFrom('ledger_transfers').selectAll().where('id', '=', p('id')),
  )

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async transaction<T>(work: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db
          .transaction()
          .execute((trx) => work(new KyselyLedgerTransaction(trx, this.dialect)))
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error
      }
    }
  }

  async account(id: string): Promise<Account | undefined> {
    const row = await this.db
      .selectFrom('ledger_accounts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row && accountFromRow(row)
  }

  async accountsOf(owner: string): Promise<Account[]> {
    const rows = await this.db
      .selectFrom('ledger_accounts')
      .selectAll()
      .where('owner', '=', owner)
      .orderBy('id')
      .execute()
    return rows.map(accountFromRow)
  }

  async transfer(id: string): Promise<Transfer | undefined> {
    const row = await this.#transfer.first(this.db, { id })
    return row && transferFromRow(row)
  }

  async accountTransfers(
    accountId: string,
    page: { limit: number; before?: { createdAtMs: number; id: string } },
  ): Promise<Transfer[]> {
    const { before } = page
    // One indexed query per side, merged: an OR across the two columns would scan.
    const side = (column: 'debit_account' | 'credit_account') => {
      let query = this.db
        .selectFrom('ledger_transfers')
        .selectAll()
        .where(column, '=', accountId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
      if (before) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', before.createdAtMs),
            eb.and([eb('created_at', '=', before.createdAtMs), eb('id', '<', before.id)]),
          ]),
        )
      }
      return query.execute()
    }
    const rows = [...(await side('debit_account')), ...(await side('credit_account'))]
    return rows
      .map(transferFromRow)
      .sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, page.limit)
  }

  async duePending(nowMs: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('ledger_transfers')
      .select('id')
      .where('state', '=', 'pending')
      .where('expires_at', '<=', nowMs)
      .orderBy('expires_at')
      .limit(limit)
      .execute()
    return rows.map((r) => r.id)
  }

  async scan(visit: {
    accounts(accounts: Account[]): void
    transfers(transfers: Transfer[]): void
  }): Promise<void> {
    let tx = this.db.transaction()
    if (this.dialect === 'postgres') tx = tx.setIsolationLevel('repeatable read')
    await tx.execute(async (trx) => {
      visit.accounts(
        (await trx.selectFrom('ledger_accounts').selectAll().execute()).map(accountFromRow),
      )
      let after = ''
      for (;;) {
        const rows = await trx
          .selectFrom('ledger_transfers')
          .selectAll()
          .where('id', '>', after)
          .orderBy('id')
          .limit(SCAN_PAGE)
          .execute()
        if (rows.length === 0) return
        visit.transfers(rows.map(transferFromRow))
        after = rows[rows.length - 1]!.id
      }
    })
  }
}
