/** better-sqlite3's errors: `code` is SQLite's extended result code, as `SQLITE_…`. */
interface SqliteError {
  code?: unknown
  message?: unknown
}

/** Whether `error` is a unique-constraint or primary-key violation. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as SqliteError | undefined
  return (
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    (typeof e?.message === 'string' && /UNIQUE constraint/.test(e.message))
  )
}

/**
 * Never: the store's transactions take turns on SQLite's one connection, so none loses a race
 * (a database locked by another process waits out `busy_timeout`, then fails for good).
 */
export function isRetryable(_error: unknown): boolean {
  return false
}

/** Never: the database is a file this process opened, not a server that can go away. */
export function isUnavailable(_error: unknown): boolean {
  return false
}
