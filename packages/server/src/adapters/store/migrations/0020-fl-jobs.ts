import type { Kysely, Migration } from 'kysely'

/**
 * Federated learning: jobs (queried fields as columns, the rest as a JSON document), their rounds
 * (one document per round), and models stored once per SHA-256 of their parameters.
 */
export const flJobsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('fl_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .execute()
    await db.schema.createIndex('fl_jobs_owner').on('fl_jobs').columns(['owner', 'id']).execute()
    await db.schema.createIndex('fl_jobs_state').on('fl_jobs').column('state').execute()
    await db.schema
      .createTable('fl_rounds')
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('fl_rounds_pk', ['job_id', 'round'])
      .execute()
    await db.schema
      .createTable('fl_models')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
  },
}
