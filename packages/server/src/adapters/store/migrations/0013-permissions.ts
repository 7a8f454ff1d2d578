import type { Kysely, Migration } from 'kysely'

/** Permissions an admin grants a principal beside its roles: scoped, optionally expiring. */
export const permissionsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('permissions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('did', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('granted_by', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema.createIndex('permissions_did').on('permissions').column('did').execute()
  },
}
