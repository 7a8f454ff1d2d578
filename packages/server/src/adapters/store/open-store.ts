import type { Kysely } from 'kysely'
import type { Store } from '../../core/store.js'
import type { Database } from './database.js'
import { KyselyStore } from './kysely-store.js'
import { migrateToLatest } from './migrations.js'
import { connectPostgres } from './postgres/connect.js'
import { postgresDialect } from './postgres/dialect.js'
import { connectSqlite } from './sqlite/connect.js'
import { sqliteDialect } from './sqlite/dialect.js'
import type { StoreDialect } from './store-dialect.js'

export type StoreLocation =
  { kind: 'sqlite'; filename: string } | { kind: 'postgres'; url: string; schema?: string }

/** Connects to the store and brings its schema up to date. */
export async function openStore(location: StoreLocation): Promise<Store> {
  let db: Kysely<Database>
  let dialect: StoreDialect
  // Where the migrator keeps its tables: on PostgreSQL the connection's schema (see migrations.ts).
  let migrationSchema: string | undefined
  if (location.kind === 'sqlite') {
    db = connectSqlite(location.filename)
    dialect = sqliteDialect
  } else {
    db = await connectPostgres(
      location.url,
      location.schema === undefined ? {} : { schema: location.schema },
    )
    dialect = postgresDialect
    migrationSchema = location.schema ?? 'public'
  }
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect, migrationSchema)
  } catch (error) {
    await db.destroy()
    throw error
  }
  return new KyselyStore(dialect, db)
}
