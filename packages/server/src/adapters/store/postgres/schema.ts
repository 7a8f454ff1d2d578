import { sql, type Kysely } from 'kysely'
import type { SchemaDialect } from '../store-dialect.js'

/** PostgreSQL's schema statements: `bigserial` keys, JSON read with `->>`. */
export const postgresSchema: SchemaDialect = {
  serialKey: { type: 'bigserial', define: (column) => column.primaryKey() },
  bytesType: 'bytea',
  jsonText(column: string, key: string) {
    return sql<string | null>`(${sql.ref(column)}::json)->>${sql.lit(key)}`
  },
  async widenToBigint(db: Kysely<unknown>, table: string, column: string) {
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type bigint`.execute(
      db,
    )
  },
}
