import type { Kysely, Transaction } from 'kysely'
import type { Account, PendingState, Transfer, TransferCode } from '../../core/ledger/types.js'
import type { LedgerStore, LedgerTransaction } from '../../core/ledger/ledger-store.js'
import type { Database } from './database.js'
import type { StoreDialect } from './store-dialect.js'
import { Prepared, PreparedList, type ItemParam, type Param } from './prepared.js'
import { accountFromRow, accountToRow, transferFromRow, transferToRow } from './ledger-rows.js'

const CHUNK = 200
const SCAN_PAGE = 2000
const MAX_ATTEMPTS = 20

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

type AccountColumns = ReturnType<typeof accountToRow>
type TransferColumns = ReturnType<typeof transferToRow>
/** What a transaction's write changes on an account: the balances and the budget. */
const ACCOUNT_UPDATE = [
  'no_overdraft',
  'debits_posted',
  'credits_posted',
  'debits_pending',
  'credits_pending',
  'budgets',
] as const satisfies readonly (keyof AccountColumns)[]
const ACCOUNT_COLUMNS = [...ACCOUNT_UPDATE, 'id', 'owner', 'currency', 'created_at'] as const
const TRANSFER_COLUMNS = [
  'id',
  'kind',
  'debit_account',
  'credit_account',
  'amount',
  'currency',
  'code',
  'reference',
  'pending_id',
  'timeout_ms',
  'expires_at',
  'state',
  'created_at',
] as const satisfies readonly (keyof TransferColumns)[]

/** Picks `columns` of item `index` as parameters. */
function rowOf<T extends object, K extends keyof T & string>(
  item: ItemParam<T>,
  index: number,
  columns: readonly K[],
): Pick<T, K> {
  return Object.fromEntries(columns.map((c) => [c, item(index, c)])) as Pick<T, K>
}

/** The statements of a ledger transaction, built once per store (see Prepared). */
class LedgerStatements {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
  ) {}

  readonly transfers = new PreparedList(CHUNK, (size, item: ItemParam<{ id: string }>) =>
    this.db
      .selectFrom('ledger_transfers')
      .selectAll()
      .where(
        'id',
        'in',
        Array.from({ length: size }, (_, i) => item(i, 'id')),
      ),
  )
  readonly createAccounts = new PreparedList(CHUNK, (size, item: ItemParam<AccountColumns>) =>
    this.db
      .insertInto('ledger_accounts')
      .values(Array.from({ length: size }, (_, i) => rowOf(item, i, ACCOUNT_COLUMNS)))
      .onConflict((oc) => oc.column('id').doNothing()),
  )
  readonly lockAccounts = new PreparedList(CHUNK, (size, item: ItemParam<{ id: string }>) => {
    const query = this.db
      .selectFrom('ledger_accounts')
      .selectAll()
      .where(
        'id',
        'in',
        Array.from({ length: size }, (_, i) => item(i, 'id')),
      )
      .orderBy('id')
    return this.dialect.lockRows(query)
  })
  readonly saveAccount = new Prepared((p: Param<AccountColumns>) =>
    this.db
      .updateTable('ledger_accounts')
      .set(Object.fromEntries(ACCOUNT_UPDATE.map((c) => [c, p(c)])))
      .where('id', '=', p('id')),
  )
  readonly insertTransfers = new PreparedList(100, (size, item: ItemParam<TransferColumns>) =>
    this.db
      .insertInto('ledger_transfers')
      .values(Array.from({ length: size }, (_, i) => rowOf(item, i, TRANSFER_COLUMNS))),
  )
  readonly setPendingState = new Prepared((p: Param<{ id: string; state: PendingState }>) =>
    this.db
      .updateTable('ledger_transfers')
      .set({ state: p('state') })
      .where('id', '=', p('id')),
  )
}

class KyselyLedgerTransaction implements LedgerTransaction {
  constructor(
    readonly trx: Transaction<Database>,
    readonly statements: LedgerStatements,
  ) {}

  async transfers(ids: string[]): Promise<Map<string, Transfer>> {
    const rows = await this.statements.transfers.run(
      this.trx,
      ids.map((id) => ({ id })),
    )
    return new Map(rows.map((row) => [row.id, transferFromRow(row)]))
  }

  async lockAccounts(accounts: Account[]): Promise<Map<string, Account>> {
    const sorted = [...accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const locked = new Map<string, Account>()
    for (const part of chunks(sorted)) {
      await this.statements.createAccounts.run(this.trx, part.map(accountToRow))
      const rows = await this.statements.lockAccounts.run(
        this.trx,
        part.map((a) => ({ id: a.id })),
      )
      for (const row of rows) locked.set(row.id, accountFromRow(row))
    }
    return locked
  }

  async saveAccounts(accounts: Account[]): Promise<void> {
    for (const account of accounts) {
      await this.statements.saveAccount.run(this.trx, accountToRow(account))
    }
  }

  async insertTransfers(transfers: Transfer[]): Promise<void> {
    await this.statements.insertTransfers.run(this.trx, transfers.map(transferToRow))
  }

  async setPendingStates(states: Map<string, PendingState>): Promise<void> {
    for (const [id, state] of states) {
      await this.statements.setPendingState.run(this.trx, { id, state })
    }
  }

  async debitsSince(
    accountId: string,
    sinceMs: number,
    visit: (page: Transfer[]) => void,
  ): Promise<void> {
    let after: { createdAtMs: number; id: string } | undefined
    for (;;) {
      let query = this.trx
        .selectFrom('ledger_transfers')
        .selectAll()
        .where('debit_account', '=', accountId)
        .where('created_at', '>=', sinceMs)
        .orderBy('created_at')
        .orderBy('id')
        .limit(SCAN_PAGE)
      if (after) {
        const { createdAtMs, id } = after
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '>', createdAtMs),
            eb.and([eb('created_at', '=', createdAtMs), eb('id', '>', id)]),
          ]),
        )
      }
      const page = (await query.execute()).map(transferFromRow)
      if (page.length > 0) visit(page)
      if (page.length < SCAN_PAGE) return
      after = page[page.length - 1]!
    }
  }
}

/**
 * The ledger on Kysely. Account rows are locked in id order (the dialect's `lockRows`) and a
 * transaction that loses a race on a transfer id, or deadlocks, runs again and then finds the
 * winner's transfer (the dialect's `isRetryable`).
 */
export class KyselyLedgerStore implements LedgerStore {
  readonly #statements: LedgerStatements
  // Read when every task settles.
  readonly #transfer = new Prepared((p: Param<{ id: string }>) =>
    this.db.selectFrom('ledger_transfers').selectAll().where('id', '=', p('id')),
  )

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
  ) {
    this.#statements = new LedgerStatements(db, dialect)
  }

  async transaction<T>(work: (tx: LedgerTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db
          .transaction()
          .execute((trx) => work(new KyselyLedgerTransaction(trx, this.#statements)))
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !this.dialect.isRetryable(error)) throw error
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

  async heldTransfers(code: TransferCode, afterId: string, limit: number): Promise<Transfer[]> {
    const rows = await this.db
      .selectFrom('ledger_transfers')
      .selectAll()
      .where('state', '=', 'pending')
      .where('code', '=', code)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute()
    return rows.map(transferFromRow)
  }

  async scan(visit: {
    accounts(accounts: Account[]): void
    transfers(transfers: Transfer[]): void
  }): Promise<void> {
    await this.dialect.snapshot(this.db.transaction()).execute(async (trx) => {
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
