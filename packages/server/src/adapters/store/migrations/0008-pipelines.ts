import type { Kysely, Migration } from 'kysely'

/** Pipeline runs: the queried fields as columns, the run as one JSON document. */
export const pipelinesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('pipeline_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('requester', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('pipeline_runs_requester')
      .on('pipeline_runs')
      .columns(['requester', 'id'])
      .execute()
  },
}
