import type { Kysely, Migration } from 'kysely'
import type { StoreDialect } from '../store-dialect.js'

/**
 * Card versions as BIGINT on PostgreSQL: the SDK versions a card by the time of `connect` in
 * milliseconds, which overflows INTEGER (SQLite's INTEGER is 64-bit already).
 */
export const agentVersionBigintMigration = ({ schema }: StoreDialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await schema.widenToBigint(db, 'agents', 'version')
    await schema.widenToBigint(db, 'agent_versions', 'version')
  },
})
