import type { Kysely, Migration } from 'kysely'
import type { StoreDialect } from '../store-dialect.js'

/**
 * Agents, their signed versions, their capabilities with the dialect's full-text index and the
 * registry's change events.
 */
export const registryMigration = ({ fullText, schema }: StoreDialect): Migration => ({
  async up(db: Kysely<unknown>) {
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
    const capabilities = db.schema
      .createTable('capabilities')
      .addColumn('id', schema.serialKey.type, schema.serialKey.define)
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
    await fullText.addColumns(capabilities).execute()
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
    await fullText.createIndex(db)

    await db.schema
      .createTable('registry_events')
      .addColumn('seq', schema.serialKey.type, schema.serialKey.define)
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .execute()
  },
})
