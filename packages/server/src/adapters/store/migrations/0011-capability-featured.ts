import type { Kysely, Migration } from 'kysely'

/**
 * The capabilities an admin features in the marketplace. Kept apart from `capabilities` (which a
 * card update rewrites) so a capability stays featured across new versions of its card.
 */
export const capabilityFeaturedMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('capability_featured')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('capability_id', 'text', (c) => c.notNull())
      .addColumn('featured_by', 'text', (c) => c.notNull())
      .addColumn('featured_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('capability_featured_pk', ['agent_id', 'capability_id'])
      .execute()
  },
}
