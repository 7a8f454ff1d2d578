import type { Kysely, Migration } from 'kysely'

/**
 * A2A: a task's conversation (`context_id`) and the agent it was sent to (`agent_id`) as columns,
 * so that ListTasks filters and counts in the database; and the push notification subscriptions
 * of tasks (A2A's push configs and the `webhook` of `POST /v1/tasks`).
 */
export const a2aTasksMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tasks').addColumn('context_id', 'text').execute()
    await db.schema.alterTable('tasks').addColumn('agent_id', 'text').execute()
    await db.schema
      .createIndex('tasks_requester_context')
      .on('tasks')
      .columns(['requester', 'context_id'])
      .execute()
    await db.schema
      .createTable('task_push_configs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('config_id', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('task_push_configs_task')
      .on('task_push_configs')
      .columns(['task_id', 'config_id'])
      .unique()
      .execute()
  },
}
