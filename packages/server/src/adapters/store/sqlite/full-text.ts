import { sql, type CreateTableBuilder, type Kysely } from 'kysely'
import type { Database } from '../database.js'
import { CAPABILITY_COLUMNS, type FullTextSearch } from '../store-dialect.js'

/**
 * FTS5: an external-content table `capabilities_fts` over the capabilities' search columns, kept
 * in step by triggers, ranked by `bm25` with the title weighing four times the body.
 */
export const sqliteFullText: FullTextSearch = {
  async search(db: Kysely<Database>, query, { where, filtered }) {
    const match = query.terms.map((t) => `"${t.replaceAll('"', '')}"*`).join(' OR ')
    const bm25 = sql<number>`bm25(capabilities_fts, 4.0, 1.0)`
    // First the best rows by text alone (FTS5 ranks a bounded top quickly), then the filters.
    // With filters, the best `limit` among the survivors of a top 4×limit are the best overall
    // when at least `limit` survive; otherwise rank every match.
    const best = db
      .selectFrom('capabilities_fts')
      .select(['capabilities_fts.rowid', bm25.as('rank')])
      .where(sql<boolean>`capabilities_fts match ${match}`)
      .orderBy('rank')
      .limit(filtered ? query.limit * 4 : query.limit)
    const rows = await db
      .selectFrom(best.as('m'))
      .crossJoin('capabilities as c') // the top rows drive: never the price index
      .whereRef('c.id', '=', 'm.rowid')
      .select(CAPABILITY_COLUMNS)
      .$if(query.withCapability === true, (q) => q.select('c.capability'))
      .$if(query.withEmbedding === true, (q) => q.select('c.embedding'))
      .select(sql<number>`-m.rank`.as('relevance'))
      .where(where)
      .orderBy('m.rank')
      .orderBy('c.id')
      .limit(query.limit)
      .execute()
    if (!filtered || rows.length >= query.limit) return rows
    // CROSS JOIN keeps the full-text index as the outer loop: driven by the price index
    // instead, SQLite would run the MATCH once per capability.
    return db
      .selectFrom('capabilities_fts')
      .crossJoin('capabilities as c')
      .select(CAPABILITY_COLUMNS)
      .$if(query.withCapability === true, (q) => q.select('c.capability'))
      .$if(query.withEmbedding === true, (q) => q.select('c.embedding'))
      .select(sql<number>`-${bm25}`.as('relevance'))
      .where(sql<boolean>`capabilities_fts match ${match}`)
      .whereRef('c.id', '=', 'capabilities_fts.rowid')
      .where(where)
      .orderBy(bm25)
      .orderBy('c.id')
      .limit(query.limit)
      .execute()
  },

  addColumns(table: CreateTableBuilder<'capabilities', string>) {
    return table
  },

  async createIndex(db: Kysely<unknown>) {
    await sql`create virtual table capabilities_fts using fts5(search_title, search_body, content='capabilities', content_rowid='id')`.execute(
      db,
    )
    await sql`create trigger capabilities_fts_insert after insert on capabilities begin
        insert into capabilities_fts(rowid, search_title, search_body) values (new.id, new.search_title, new.search_body);
      end`.execute(db)
    await sql`create trigger capabilities_fts_delete after delete on capabilities begin
        insert into capabilities_fts(capabilities_fts, rowid, search_title, search_body) values ('delete', old.id, old.search_title, old.search_body);
      end`.execute(db)
    await sql`create trigger capabilities_fts_update after update on capabilities begin
        insert into capabilities_fts(capabilities_fts, rowid, search_title, search_body) values ('delete', old.id, old.search_title, old.search_body);
        insert into capabilities_fts(rowid, search_title, search_body) values (new.id, new.search_title, new.search_body);
      end`.execute(db)
  },
}
