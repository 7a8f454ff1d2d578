import type { Kysely, Migration } from 'kysely'

/**
 * The ledger: accounts and transfers. Amounts are TEXT holding the decimal integer of micro-units:
 * 18 integer digits and 6 decimals (and the sums of such amounts) exceed BIGINT, and SQLite's
 * NUMERIC would round them through a double. Arithmetic happens in `bigint` inside a transaction
 * that holds the account rows locked.
 */
export const ledgerMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('ledger_accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('no_overdraft', 'integer', (c) => c.notNull())
      .addColumn('debits_posted', 'text', (c) => c.notNull())
      .addColumn('credits_posted', 'text', (c) => c.notNull())
      .addColumn('debits_pending', 'text', (c) => c.notNull())
      .addColumn('credits_pending', 'text', (c) => c.notNull())
      .addColumn('budget_limit', 'text')
      .addColumn('budget_period', 'text')
      .addColumn('budget_spent', 'text', (c) => c.notNull())
      .addColumn('budget_period_start', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('ledger_accounts_owner')
      .on('ledger_accounts')
      .column('owner')
      .execute()
    await db.schema
      .createTable('ledger_transfers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('debit_account', 'text', (c) => c.notNull())
      .addColumn('credit_account', 'text', (c) => c.notNull())
      .addColumn('amount', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('reference', 'text')
      // Unique: a pending transfer is posted or voided at most once, whatever the application does.
      .addColumn('pending_id', 'text', (c) => c.unique())
      .addColumn('timeout_ms', 'bigint')
      .addColumn('expires_at', 'bigint')
      .addColumn('state', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
    for (const column of ['debit_account', 'credit_account'] as const) {
      await db.schema
        .createIndex(`ledger_transfers_${column}`)
        .on('ledger_transfers')
        .columns([column, 'created_at', 'id'])
        .execute()
    }
    await db.schema
      .createIndex('ledger_transfers_due')
      .on('ledger_transfers')
      .columns(['state', 'expires_at'])
      .execute()
    await db.schema
      .createIndex('ledger_transfers_reference')
      .on('ledger_transfers')
      .column('reference')
      .execute()
  },
}
