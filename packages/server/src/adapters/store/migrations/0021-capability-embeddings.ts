import type { Kysely, Migration } from 'kysely'
import type { StoreDialect } from '../store-dialect.js'

/**
 * Discovery by meaning: each capability's embedding (float32 components, little-endian) and the
 * embedder model that made it. Rows from before stay null until the node embeds them at start.
 */
export const capabilityEmbeddingsMigration = ({ schema }: StoreDialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('capabilities').addColumn('embedding', schema.bytesType).execute()
    await db.schema.alterTable('capabilities').addColumn('embedding_model', 'text').execute()
  },
})
