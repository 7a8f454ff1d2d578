import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreDialect } from '../store-dialect.js'

/**
 * Each capability's description beside its ranking columns, so that a search page is read in
 * one query; filled in from the stored capability for rows that exist already.
 */
export const registryDescriptionMigration = ({ schema }: StoreDialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('capabilities')
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .execute()
    const description = schema.jsonText('capability', 'description')
    await sql`update capabilities set description = coalesce(${description}, '')`.execute(db)
  },
})
