import { sql, type CreateTableBuilder, type Kysely } from 'kysely'
import type { Database } from '../database.js'
import { CAPABILITY_COLUMNS, type FullTextSearch } from '../store-dialect.js'

/**
 * A stored generated `tsvector` column `search` (title weighted A, body B, the `simple`
 * configuration: no stemming) with a GIN index, ranked by `ts_rank`.
 */
export const postgresFullText: FullTextSearch = {
  search(db: Kysely<Database>, query, { where }) {
    const tsquery = query.terms.map((t) => `${t}:*`).join(' | ')
    return db
      .selectFrom('capabilities as c')
      .select(CAPABILITY_COLUMNS)
      .$if(query.withCapability === true, (q) => q.select('c.capability'))
      .$if(query.withEmbedding === true, (q) => q.select('c.embedding'))
      .select(sql<number>`ts_rank(c.search, to_tsquery('simple', ${tsquery}))`.as('relevance'))
      .where(sql<boolean>`c.search @@ to_tsquery('simple', ${tsquery})`)
      .where(where)
      .orderBy(sql`ts_rank(c.search, to_tsquery('simple', ${tsquery}))`, 'desc')
      .orderBy('c.id')
      .limit(query.limit)
      .execute()
  },

  addColumns(table: CreateTableBuilder<'capabilities', string>) {
    return table.addColumn('search', sql`tsvector`, (c) =>
      c
        .generatedAlwaysAs(
          sql`setweight(to_tsvector('simple', search_title), 'A') || setweight(to_tsvector('simple', search_body), 'B')`,
        )
        .stored(),
    )
  },

  async createIndex(db: Kysely<unknown>) {
    await sql`create index capabilities_search on capabilities using gin (search)`.execute(db)
  },
}
