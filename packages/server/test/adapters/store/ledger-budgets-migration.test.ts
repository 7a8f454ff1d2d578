import { Migrator, type Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../../src/adapters/store/migrations.js'
import { migrations } from '../../../src/adapters/store/migrations/index.js'
import { connectPostgres } from '../../../src/adapters/store/postgres/connect.js'
import { connectSqlite } from '../../../src/adapters/store/sqlite/connect.js'
import { postgresDialect } from '../../../src/adapters/store/postgres/dialect.js'
import { sqliteDialect } from '../../../src/adapters/store/sqlite/dialect.js'
import type { StoreDialect } from '../../../src/adapters/store/store-dialect.js'
import { KyselyLedgerStore } from '../../../src/adapters/store/ledger-store.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

/** Stores an account with a budget in the old columns, migrates, and reads it back. */
async function keepsBudget(db: Kysely<unknown>, dialect: StoreDialect, schema?: string) {
  const first = new Migrator({
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: {
      getMigrations: () => Promise.resolve({ '0005-ledger': migrations(dialect)['0005-ledger']! }),
    },
  })
  expect((await first.migrateToLatest()).error).toBeUndefined()
  const row = {
    owner: 'did:key:z6MkOld',
    currency: 'USD',
    no_overdraft: 1,
    debits_posted: '0',
    credits_posted: '0',
    debits_pending: '0',
    credits_pending: '0',
    budget_spent: '0',
    budget_period_start: 0,
    created_at: 1,
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const old = db as Kysely<any>
  await old
    .insertInto('ledger_accounts')
    .values([
      {
        ...row,
        id: 'did:key:z6MkOld:USD',
        budget_limit: '2000000',
        budget_period: 'day',
        budget_spent: '500000',
        budget_period_start: Date.UTC(2030, 0, 1),
      },
      { ...row, id: 'did:key:z6MkOld:EUR', currency: 'EUR', budget_limit: null },
    ])
    .execute()
  await migrateToLatest(db, dialect, schema)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const store = new KyselyLedgerStore(db as Kysely<any>, dialect)
  // Who set it is not known: it binds as an admin's, so the principal cannot lift it.
  expect((await store.account('did:key:z6MkOld:USD'))?.budgets).toEqual([
    {
      period: 'day',
      adminLimitMicros: 2_000_000n,
      ownerLimitMicros: null,
      spentMicros: 500_000n,
      periodStartMs: Date.UTC(2030, 0, 1),
    },
  ])
  expect((await store.account('did:key:z6MkOld:EUR'))?.budgets).toEqual([])
}

const skip = await postgresSkipReason()

describe('migration 0012-ledger-budgets', () => {
  it('keeps an account budget as the admin limit of its period on SQLite', async () => {
    const db = connectSqlite(':memory:')
    try {
      await keepsBudget(db as Kysely<unknown>, sqliteDialect)
    } finally {
      await db.destroy()
    }
  })

  it.skipIf(skip !== undefined)(
    `keeps an account budget as the admin limit of its period on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const schema = freshSchema()
      const db = await connectPostgres(postgresUrl, { schema })
      try {
        await keepsBudget(db as Kysely<unknown>, postgresDialect, schema)
      } finally {
        await db.destroy()
        await dropPostgresSchema(postgresUrl, schema)
      }
    },
  )
})
