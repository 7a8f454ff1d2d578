import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreDialect } from '../store-dialect.js'

/**
 * Hosted agents, continued: who deployed each template (one row per deployer) and the deployers'
 * ratings (one per deployer, updatable; their sum and count kept on the template for sorting);
 * which cluster node serves each started hosted agent (a lease with a fencing epoch, as
 * `task_leases`); and the agents' log lines, kept per agent up to a cap.
 */
export const hostedRatingsLeasesLogsMigration = ({ schema }: StoreDialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('template_deployments')
      .addColumn('template_id', 'text', (c) => c.notNull())
      .addColumn('deployer', 'text', (c) => c.notNull())
      .addColumn('deployed_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('template_deployments_pk', ['template_id', 'deployer'])
      .execute()
    // Deployments made before: their hosted agents still name the template.
    await sql`insert into template_deployments (template_id, deployer, deployed_at)
      select template_id, owner, 0 from hosted_agents where template_id is not null`.execute(db)
    await db.schema
      .createTable('template_ratings')
      .addColumn('template_id', 'text', (c) => c.notNull())
      .addColumn('rater', 'text', (c) => c.notNull())
      .addColumn('stars', 'integer', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('template_ratings_pk', ['template_id', 'rater'])
      .execute()
    await db.schema
      .alterTable('hosted_templates')
      .addColumn('rating_sum', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute()
    await db.schema
      .alterTable('hosted_templates')
      .addColumn('rating_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute()
    await db.schema
      .createTable('hosted_leases')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('epoch', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('hosted_logs')
      .addColumn('seq', schema.serialKey.type, schema.serialKey.define)
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('hosted_logs_agent')
      .on('hosted_logs')
      .columns(['agent_id', 'seq'])
      .execute()
  },
})
