import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely'

/**
 * Each capability's description beside its ranking columns, so that a search page is read in
 * one query; filled in from the stored capability for rows that exist already.
 */
export const registryDescriptionMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter
    await db.schema
      .alterTable('capabilities')
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .execute()
    await (
      postgres
        ? sql`update capabilities set description = coalesce((capability::json)->>'description', '')`
        : sql`update capabilities set description = coalesce(json_extract(capability, '$.description'), '')`
    ).execute(db)
  },
}
