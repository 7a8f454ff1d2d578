import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Database } from '../database.js'
import { withStatementCache } from './statement-cache.js'

/**
 * Opens SQLite through better-sqlite3: a file (WAL journal, so readers never block the writer and
 * a crashed process loses no committed transaction), or `:memory:`.
 */
export function connectSqlite(filename: string): Kysely<Database> {
  const database = new SqliteDatabase(filename)
  if (filename !== ':memory:') database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  })
}
