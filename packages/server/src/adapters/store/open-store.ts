import type { Kysely } from 'kysely'
import type { Store } from '../../core/store.js'
import type { Database } from './database.js'
import { KyselyStore } from './kysely-store.js'
import { migrateToLatest } from './migrations.js'
import { connectPostgres } from './postgres/connect.js'
import { connectSqlite } from './sqlite/connect.js'

export type StoreLocation =
  { kind: 'sqlite'; filename: string } | { kind: 'postgres'; url: string; schema?: string }

/** Connects to the store and brings its schema up to date. */
export async function openStore(location: StoreLocation): Promise<Store> {
  let db: Kysely<Database>
  if (location.kind === 'sqlite') {
    db = connectSqlite(location.filename)
  } else {
    db = await connectPostgres(
      location.url,
      location.schema === undefined ? {} : { schema: location.schema },
    )
  }
  try {
    await migrateToLatest(
      db as Kysely<unknown>,
      location.kind === 'postgres' ? (location.schema ?? 'public') : undefined,
    )
  } catch (error) {
    await db.destroy()
    throw error
  }
  return new KyselyStore(location.kind, db)
}
