import { sql, type Kysely, type Migration } from 'kysely'

/** The audit log: entries (append-only), the tail row every append locks, and signed tree heads. */
export const auditMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_entries')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('time_ms', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('leaf_hash', 'text', (c) => c.notNull())
      .addColumn('chain_hash', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('audit_entries_actor')
      .on('audit_entries')
      .columns(['actor', 'seq'])
      .execute()
    await db.schema
      .createIndex('audit_entries_action')
      .on('audit_entries')
      .columns(['action', 'seq'])
      .execute()
    await db.schema
      .createIndex('audit_entries_time')
      .on('audit_entries')
      .column('time_ms')
      .execute()
    await db.schema
      .createTable('audit_tail')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('chain_hash', 'text', (c) => c.notNull())
      .execute()
    await sql`insert into audit_tail (id, seq, chain_hash) values (1, 0, ${'00'.repeat(32)})`.execute(
      db,
    )
    await db.schema
      .createTable('audit_heads')
      .addColumn('signer', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('root', 'text', (c) => c.notNull())
      .addColumn('time_ms', 'bigint', (c) => c.notNull())
      .addColumn('jws', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_heads_pk', ['signer', 'size'])
      .execute()
  },
}
