import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely'

/**
 * Agents, their signed versions, their capabilities with a full-text index (SQLite FTS5; a
 * PostgreSQL `tsvector` with a GIN index) and the registry's change events.
 */
export const registryMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter
    await db.schema
      .createTable('agents')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('card', 'text', (c) => c.notNull())
      .addColumn('jws', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('removed_at', 'bigint')
      .execute()
    await db.schema
      .createTable('agent_versions')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('jws', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('agent_versions_pk', ['agent_id', 'version'])
      .execute()

    // Money can exceed int64 (18 integer digits + 6 decimals), so the price is its micro-units
    // as a 24-digit zero-padded string: text order is numeric order, on both dialects.
    let capabilities = db.schema
      .createTable('capabilities')
      .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
        postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('capability_id', 'text', (c) => c.notNull())
      .addColumn('agent_name', 'text', (c) => c.notNull())
      .addColumn('price_key', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('timeout_ms', 'integer', (c) => c.notNull())
      .addColumn('p95_latency_ms', 'integer')
      .addColumn('concurrency', 'integer', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('search_title', 'text', (c) => c.notNull())
      .addColumn('search_body', 'text', (c) => c.notNull())
      .addColumn('capability', 'text', (c) => c.notNull())
      .addUniqueConstraint('capabilities_agent_capability', ['agent_id', 'capability_id'])
    if (postgres) {
      capabilities = capabilities.addColumn('search', sql`tsvector`, (c) =>
        c
          .generatedAlwaysAs(
            sql`setweight(to_tsvector('simple', search_title), 'A') || setweight(to_tsvector('simple', search_body), 'B')`,
          )
          .stored(),
      )
    }
    await capabilities.execute()
    await db.schema
      .createIndex('capabilities_capability_id')
      .on('capabilities')
      .column('capability_id')
      .execute()
    await db.schema
      .createIndex('capabilities_price')
      .on('capabilities')
      .columns(['currency', 'price_key'])
      .execute()
    if (postgres) {
      await sql`create index capabilities_search on capabilities using gin (search)`.execute(db)
    } else {
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
    }

    await db.schema
      .createTable('registry_events')
      .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
        postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .execute()
  },
}
