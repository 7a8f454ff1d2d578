import { DEFAULT_MIGRATION_TABLE, Migrator, type Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../../src/adapters/store/migrations.js'
import { migrations } from '../../../src/adapters/store/migrations/index.js'
import {
  adoptLegacyNames,
  LEGACY_MIGRATIONS,
  LEGACY_NAMES,
} from '../../../src/adapters/store/migrations/legacy-names.js'
import { connectPostgres } from '../../../src/adapters/store/postgres/connect.js'
import { postgresDialect } from '../../../src/adapters/store/postgres/dialect.js'
import { connectSqlite } from '../../../src/adapters/store/sqlite/connect.js'
import { sqliteDialect } from '../../../src/adapters/store/sqlite/dialect.js'
import type { StoreDialect } from '../../../src/adapters/store/store-dialect.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>

interface Database {
  db: AnyDb
  dialect: StoreDialect
  schema?: string
}

/** Migrates as a node before the renumbering did: the old names, in any order. */
async function migrateUnderOldNames({ db, dialect, schema }: Database, oldNames: string[]) {
  const all = migrations(dialect)
  const migrator = new Migrator({
    db,
    allowUnorderedMigrations: true,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    provider: {
      getMigrations: () =>
        Promise.resolve(Object.fromEntries(oldNames.map((old) => [old, all[LEGACY_NAMES[old]!]!]))),
    },
  })
  const { error } = await migrator.migrateToLatest()
  expect(error).toBeUndefined()
}

const history = ({ db, schema }: Database) => (schema === undefined ? db : db.withSchema(schema))

/** The recorded names as the migrator reads them: by time, ties by name. */
async function recordedNames(database: Database): Promise<string[]> {
  const rows: { name: string; timestamp: string }[] = await history(database)
    .selectFrom(DEFAULT_MIGRATION_TABLE)
    .select(['name', 'timestamp'])
    .execute()
  return rows
    .sort(
      (a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || a.name.localeCompare(b.name),
    )
    .map((r) => r.name)
}

/** Rows of a few tables, to compare before and after. */
async function snapshot({ db }: Database) {
  return {
    principals: await db.selectFrom('principals').selectAll().orderBy('did').execute(),
    accounts: await db.selectFrom('ledger_accounts').selectAll().orderBy('id').execute(),
    // Without the columns a later migration adds (0021: embeddings), null for rows from before.
    capabilities: (await db.selectFrom('capabilities').selectAll().orderBy('id').execute()).map(
      ({ embedding: _embedding, embedding_model: _model, ...row }) => row,
    ),
  }
}

async function writeSomething({ db }: Database) {
  await db
    .insertInto('principals')
    .values({ did: 'did:key:zOld', roles: '["agent"]', created_at: 1 })
    .execute()
  await db
    .insertInto('ledger_accounts')
    .values({
      id: 'did:key:zOld:USD',
      owner: 'did:key:zOld',
      currency: 'USD',
      no_overdraft: 1,
      debits_posted: '0',
      credits_posted: '5000000',
      debits_pending: '0',
      credits_pending: '0',
      budgets: '[]',
      created_at: 1,
    })
    .execute()
  await db
    .insertInto('capabilities')
    .values({
      agent_id: 'did:key:zOld',
      capability_id: 'text.old',
      description: 'Stored under the old names',
      agent_name: 'old',
      price_key: '1'.padStart(24, '0'),
      currency: 'USD',
      timeout_ms: 1000,
      p95_latency_ms: null,
      concurrency: 1,
      tags: '  ',
      search_title: 'old',
      search_body: 'old',
      capability: JSON.stringify({ id: 'text.old' }),
    })
    .execute()
}

const OLD = Object.keys(LEGACY_NAMES)
const ranTwice = (applied: string[]) => applied.filter((name) => LEGACY_MIGRATIONS.has(name))

function suite(name: string, open: () => Promise<Database & { close(): Promise<void> }>) {
  describe(`migrations recorded under their old names on ${name}`, () => {
    it('adopts the new names and runs none of them again, the data intact', async () => {
      const database = await open()
      try {
        await migrateUnderOldNames(database, OLD)
        await writeSomething(database)
        const before = await snapshot(database)

        expect(
          ranTwice(await migrateToLatest(database.db, database.dialect, database.schema)),
        ).toEqual([])
        expect(await recordedNames(database)).toEqual(
          Object.keys(migrations(database.dialect)).sort(),
        )
        expect(await snapshot(database)).toEqual(before)
        // Once more, in order now: nothing to do, and the renaming is idempotent.
        await adoptLegacyNames(database.db, database.schema)
        expect(await migrateToLatest(database.db, database.dialect, database.schema)).toEqual([])
        expect(await snapshot(database)).toEqual(before)
      } finally {
        await database.close()
      }
    })

    it('catches up on an old migration an older node had not run, then keeps the order', async () => {
      const database = await open()
      try {
        // An older node ran 0013-permissions but not yet 0013-ledger-budgets (new 0012).
        await migrateUnderOldNames(
          database,
          OLD.filter((old) => old !== '0013-ledger-budgets'),
        )
        const applied = await migrateToLatest(database.db, database.dialect, database.schema)
        // Migrations numbered after the renumbering run too, as on any database.
        expect(applied.filter((name) => LEGACY_MIGRATIONS.has(name))).toEqual([
          '0012-ledger-budgets',
        ])
        expect(await recordedNames(database)).toEqual(
          Object.keys(migrations(database.dialect)).sort(),
        )
        expect(await migrateToLatest(database.db, database.dialect, database.schema)).toEqual([])
      } finally {
        await database.close()
      }
    })

    it('accepts a history an older node ran out of name order', async () => {
      const database = await open()
      try {
        await migrateUnderOldNames(
          database,
          OLD.filter((old) => old !== '0013-ledger-budgets'),
        )
        // A later old node ran the missing one after 0013-permissions.
        await migrateUnderOldNames(database, OLD)
        // Just after every other one, yet before the migrations numbered later run now.
        const times = await history(database)
          .selectFrom(DEFAULT_MIGRATION_TABLE)
          .select('timestamp')
          .execute()
        const lastMs = Math.max(
          ...times.map((row: { timestamp: string }) => Date.parse(row.timestamp)),
        )
        await history(database)
          .updateTable(DEFAULT_MIGRATION_TABLE)
          .set({ timestamp: new Date(lastMs + 1).toISOString() })
          .where('name', '=', '0013-ledger-budgets')
          .execute()
        expect((await recordedNames(database)).at(-1)).toBe('0013-ledger-budgets')
        await writeSomething(database)
        const before = await snapshot(database)
        expect(
          ranTwice(await migrateToLatest(database.db, database.dialect, database.schema)),
        ).toEqual([])
        expect(await recordedNames(database)).toEqual(
          Object.keys(migrations(database.dialect)).sort(),
        )
        expect(await migrateToLatest(database.db, database.dialect, database.schema)).toEqual([])
        expect(await snapshot(database)).toEqual(before)
      } finally {
        await database.close()
      }
    })
  })
}

suite('SQLite', () => {
  const db = connectSqlite(':memory:') as AnyDb
  return Promise.resolve({ db, dialect: sqliteDialect, close: () => db.destroy() })
})

const skip = await postgresSkipReason()
if (skip === undefined) {
  suite('PostgreSQL', async () => {
    const schema = freshSchema()
    const db = (await connectPostgres(postgresUrl, { schema })) as AnyDb
    return {
      db,
      dialect: postgresDialect,
      schema,
      close: async () => {
        await db.destroy()
        await dropPostgresSchema(postgresUrl, schema)
      },
    }
  })
} else {
  describe.skip(`migrations recorded under their old names on PostgreSQL (skipped: ${skip})`, () => {
    it('needs PostgreSQL', () => {})
  })
}
