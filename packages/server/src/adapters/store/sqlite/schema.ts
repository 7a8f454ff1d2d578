import { sql, type Kysely } from 'kysely'
import type { SchemaDialect } from '../store-dialect.js'

/** SQLite's schema statements: INTEGER is 64-bit already, JSON is read with `json_extract`. */
export const sqliteSchema: SchemaDialect = {
  serialKey: { type: 'integer', define: (column) => column.primaryKey().autoIncrement() },
  bytesType: 'blob',
  jsonText(column: string, key: string) {
    return sql<string | null>`json_extract(${sql.ref(column)}, ${sql.lit(`$.${key}`)})`
  },
  widenToBigint(_db: Kysely<unknown>, _table: string, _column: string) {
    return Promise.resolve()
  },
}
