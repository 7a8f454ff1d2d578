import type { Kysely, Migration } from 'kysely'

/**
 * Hosted agents: their code by SHA-256 (stored once per hash), the agents (queried fields and
 * usage totals as columns, the rest as a JSON document) and the templates published from them.
 */
export const hostedAgentsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('hosted_code')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('hosted_agents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('template_id', 'text')
      .addColumn('calls', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('failures', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('cpu_ms', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('wall_ms', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('peak_memory_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('cost_micros', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('document', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('hosted_templates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('search_text', 'text', (c) => c.notNull())
      .addColumn('deployments', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('hosted_templates_category')
      .on('hosted_templates')
      .column('category')
      .execute()
  },
}
