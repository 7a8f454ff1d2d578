import type { Kysely, Migration } from 'kysely'

/**
 * Reputation: aggregates per agent (capability_id '') and per capability, the outcomes already
 * counted (so a redelivered one is not counted twice), ratings (one per task) and presence.
 * Decayed sums are doubles; money paid is a decimal string of micro-units, since it can exceed
 * a 64-bit integer.
 */
export const reputationMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('reputation_aggregates')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('capability_id', 'text', (c) => c.notNull())
      .addColumn('calls', 'bigint', (c) => c.notNull())
      .addColumn('successes', 'bigint', (c) => c.notNull())
      .addColumn('failures', 'bigint', (c) => c.notNull())
      .addColumn('timeouts', 'bigint', (c) => c.notNull())
      .addColumn('canceled', 'bigint', (c) => c.notNull())
      .addColumn('disputed', 'bigint', (c) => c.notNull())
      .addColumn('ratings', 'bigint', (c) => c.notNull())
      .addColumn('rating_stars_total', 'bigint', (c) => c.notNull())
      .addColumn('decayed_successes', 'double precision', (c) => c.notNull())
      .addColumn('decayed_failures', 'double precision', (c) => c.notNull())
      .addColumn('decayed_rating_weight', 'double precision', (c) => c.notNull())
      .addColumn('decayed_rating_stars', 'double precision', (c) => c.notNull())
      .addColumn('decayed_at', 'bigint', (c) => c.notNull())
      .addColumn('latency', 'text', (c) => c.notNull())
      .addColumn('last_outcome_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('reputation_aggregates_pk', ['agent_id', 'capability_id'])
      .execute()
    await db.schema
      .createTable('reputation_outcomes')
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('reputation_outcomes_pk', ['task_id', 'agent_id'])
      .execute()
    await db.schema
      .createTable('reputation_ratings')
      .addColumn('task_id', 'text', (c) => c.primaryKey())
      .addColumn('rater', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('capability_id', 'text', (c) => c.notNull())
      .addColumn('stars', 'integer', (c) => c.notNull())
      .addColumn('paid_micros', 'text', (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      .addColumn('weight', 'double precision', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('reputation_ratings_agent')
      .on('reputation_ratings')
      .columns(['agent_id', 'created_at'])
      .execute()
    await db.schema
      .createTable('reputation_presence')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('online_since', 'bigint')
      .addColumn('online_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_change_at', 'bigint', (c) => c.notNull())
      .execute()
  },
}
