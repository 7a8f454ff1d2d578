import type { StoreDialect } from '../store-dialect.js'
import { isRetryable, isUnavailable, isUniqueViolation } from './errors.js'
import { sqliteFullText } from './full-text.js'
import { sqliteSchema } from './schema.js'

/**
 * SQLite through better-sqlite3: one connection, so transactions take turns — no row locks, and
 * every transaction reads one state of the database.
 */
export const sqliteDialect: StoreDialect = {
  name: 'sqlite',
  fullText: sqliteFullText,
  schema: sqliteSchema,
  lockRows: (query) => query,
  snapshot: (transaction) => transaction,
  isUniqueViolation,
  isRetryable,
  isUnavailable,
}
