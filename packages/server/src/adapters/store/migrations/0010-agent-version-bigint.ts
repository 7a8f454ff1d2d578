import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely'

/**
 * Card versions as BIGINT on PostgreSQL: the SDK versions a card by the time of `connect` in
 * milliseconds, which overflows INTEGER (SQLite's INTEGER is 64-bit already).
 */
export const agentVersionBigintMigration: Migration = {
  async up(db: Kysely<unknown>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return
    await sql`alter table agents alter column version type bigint`.execute(db)
    await sql`alter table agent_versions alter column version type bigint`.execute(db)
  },
}
