import type { Database as SqliteDatabase, Statement } from 'better-sqlite3'

/**
 * A better-sqlite3 database whose `prepare` reuses statements: Kysely prepares every query anew,
 * and compiling SQL costs more than running it. Statements are kept by their SQL text, the least
 * recently used dropped beyond `max` (queries with `in (?, ?, …)` lists vary in text).
 */
export function withStatementCache(database: SqliteDatabase, max = 500) {
  const statements = new Map<string, Statement>()
  return {
    prepare(sql: string): Statement {
      let statement = statements.get(sql)
      if (statement) {
        statements.delete(sql)
      } else {
        statement = database.prepare(sql)
        if (statements.size >= max) statements.delete(statements.keys().next().value!)
      }
      statements.set(sql, statement)
      return statement
    },
    close(): void {
      statements.clear()
      database.close()
    },
  }
}
