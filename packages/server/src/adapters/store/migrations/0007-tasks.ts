import type { Kysely, Migration } from 'kysely'

/** Tasks: the queried fields as columns, the rest as one JSON document. */
export const tasksMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('requester', 'text', (c) => c.notNull())
      .addColumn('provider_id', 'text')
      .addColumn('capability_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('answer', 'text')
      .execute()
    await db.schema
      .createIndex('tasks_requester_key')
      .on('tasks')
      .columns(['requester', 'idempotency_key'])
      .unique()
      .execute()
    await db.schema
      .createIndex('tasks_requester_id')
      .on('tasks')
      .columns(['requester', 'id'])
      .execute()
    await db.schema.createIndex('tasks_state').on('tasks').column('state').execute()
  },
}
