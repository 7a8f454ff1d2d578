import type { Kysely, Migration } from 'kysely'

/**
 * Oracle reputation: per agent and capability (capability_id '' for the agent over all of them)
 * how many oracle answers it gave, how many were within tolerance of the aggregate and the sum of
 * their deviations; and the (task, agent) answers already counted, so a task counts once.
 */
export const oracleReputationMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('oracle_reputation')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('capability_id', 'text', (c) => c.notNull())
      .addColumn('answers', 'bigint', (c) => c.notNull())
      .addColumn('within_tolerance', 'bigint', (c) => c.notNull())
      .addColumn('deviation_total', 'double precision', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oracle_reputation_pk', ['agent_id', 'capability_id'])
      .execute()
    await db.schema
      .createTable('oracle_answers')
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oracle_answers_pk', ['task_id', 'agent_id'])
      .execute()
  },
}
