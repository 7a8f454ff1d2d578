import type { Kysely, Migration } from 'kysely'

/** Intents, their offers (one per provider) and contracts. */
export const negotiationMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('intents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('requester', 'text', (c) => c.notNull())
      .addColumn('accepted_offer_id', 'text')
      .addColumn('document', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('offers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('intent_id', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('offers_intent_provider')
      .on('offers')
      .columns(['intent_id', 'provider'])
      .unique()
      .execute()
    await db.schema
      .createTable('contracts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('requester', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('canceled_at', 'bigint')
      .addColumn('document', 'text', (c) => c.notNull())
      .execute()
  },
}
