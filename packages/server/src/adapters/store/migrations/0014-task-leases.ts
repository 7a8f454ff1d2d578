import type { Kysely, Migration } from 'kysely'

/**
 * Cluster mode: which node owns each unfinished task, under which fencing epoch, until when. A
 * node writes a task only while its lease (owner and epoch) stands; another takes it over once
 * `expires_at` has passed, with the epoch one higher.
 */
export const taskLeasesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('task_leases')
      .addColumn('task_id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('epoch', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema.createIndex('task_leases_owner').on('task_leases').column('owner').execute()
  },
}
