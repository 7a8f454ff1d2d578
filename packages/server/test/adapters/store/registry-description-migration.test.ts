import { Migrator, type Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../../src/adapters/store/migrations.js'
import { migrations } from '../../../src/adapters/store/migrations/index.js'
import { connectPostgres } from '../../../src/adapters/store/postgres/connect.js'
import { connectSqlite } from '../../../src/adapters/store/sqlite/connect.js'
import { postgresDialect } from '../../../src/adapters/store/postgres/dialect.js'
import { sqliteDialect } from '../../../src/adapters/store/sqlite/dialect.js'
import type { StoreDialect } from '../../../src/adapters/store/store-dialect.js'
import type { Database } from '../../../src/adapters/store/database.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

/** Applies the registry's first migration alone, stores a row, then migrates to the latest. */
async function backfills(
  db: Kysely<Database>,
  dialect: StoreDialect,
  schema?: string,
): Promise<void> {
  // On PostgreSQL the migrator's tables must live in this run's schema (see migrateToLatest).
  const first = new Migrator({
    db,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: {
      getMigrations: () =>
        Promise.resolve({ '0002-registry': migrations(dialect)['0002-registry']! }),
    },
  })
  expect((await first.migrateToLatest()).error).toBeUndefined()
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  await (db as Kysely<any>)
    .insertInto('capabilities')
    .values({
      agent_id: 'did:key:zOld',
      capability_id: 'text.old',
      agent_name: 'old',
      price_key: '1'.padStart(24, '0'),
      currency: 'USD',
      timeout_ms: 1000,
      p95_latency_ms: null,
      concurrency: 1,
      tags: '  ',
      search_title: 'old',
      search_body: 'old',
      capability: JSON.stringify({ id: 'text.old', description: 'Stored before the column' }),
    })
    .execute()
  await migrateToLatest(db as Kysely<unknown>, dialect, schema)
  const row = await db.selectFrom('capabilities').select('description').executeTakeFirstOrThrow()
  expect(row.description).toBe('Stored before the column')
}

const skip = await postgresSkipReason()

describe('migration 0003-registry-description', () => {
  it('fills the description of existing capabilities on SQLite', async () => {
    const db = connectSqlite(':memory:')
    try {
      await backfills(db, sqliteDialect)
    } finally {
      await db.destroy()
    }
  })

  it.skipIf(skip !== undefined)(
    `fills the description of existing capabilities on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const schema = freshSchema()
      const db = await connectPostgres(postgresUrl, { schema })
      try {
        await backfills(db, postgresDialect, schema)
      } finally {
        await db.destroy()
        await dropPostgresSchema(postgresUrl, schema)
      }
    },
  )
})
