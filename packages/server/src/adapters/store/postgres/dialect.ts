import type { StoreDialect } from '../store-dialect.js'
import { isRetryable, isUnavailable, isUniqueViolation } from './errors.js'
import { postgresFullText } from './full-text.js'
import { postgresSchema } from './schema.js'

/**
 * PostgreSQL through a `pg` pool: transactions run side by side, so read-modify-writes lock their
 * rows (`for update`) and a scan that spans many queries reads one snapshot (`repeatable read`).
 */
export const postgresDialect: StoreDialect = {
  name: 'postgres',
  fullText: postgresFullText,
  schema: postgresSchema,
  lockRows: (query) => query.forUpdate(),
  snapshot: (transaction) => transaction.setIsolationLevel('repeatable read'),
  isUniqueViolation,
  isRetryable,
  isUnavailable,
}
