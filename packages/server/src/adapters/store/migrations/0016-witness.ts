import type { Kysely, Migration } from 'kysely'

/**
 * Proof across operators: a witness's last cosigned head per origin, the cosignatures this
 * node's heads collected, and quorum certificates with their validators' signatures.
 */
export const witnessMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('witness_heads')
      .addColumn('origin', 'text', (c) => c.primaryKey())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('root', 'text', (c) => c.notNull())
      .addColumn('time_ms', 'bigint', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('audit_cosignatures')
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('witness', 'text', (c) => c.notNull())
      .addColumn('root', 'text', (c) => c.notNull())
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_cosignatures_pk', ['origin', 'size', 'witness'])
      .execute()
    await db.schema
      .createTable('certificates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('validators', 'text', (c) => c.notNull())
      .addColumn('f', 'integer', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('certificate_signatures')
      .addColumn('certificate_id', 'text', (c) => c.notNull())
      .addColumn('signer', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('signed_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('certificate_signatures_pk', ['certificate_id', 'signer'])
      .execute()
  },
}
