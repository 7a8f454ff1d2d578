import { DEFAULT_MIGRATION_TABLE, type Kysely } from 'kysely'

/**
 * The names migrations were recorded under before they were numbered in one order, old → new.
 * Frozen: a database migrated by an older node holds the old names in its migration table, and
 * `adoptLegacyNames` renames them so that no migration runs twice.
 */
export const LEGACY_NAMES: Readonly<Record<string, string>> = {
  '0001-auth': '0001-auth',
  '0002-registry': '0002-registry',
  '0002-registry-description': '0003-registry-description',
  '0003-reputation': '0004-reputation',
  '0004-ledger': '0005-ledger',
  '0005-audit': '0006-audit',
  '0006-tasks': '0007-tasks',
  '0007-pipelines': '0008-pipelines',
  '0008-negotiation': '0009-negotiation',
  '0011-agent-version-bigint': '0010-agent-version-bigint',
  '0012-capability-featured': '0011-capability-featured',
  '0013-ledger-budgets': '0012-ledger-budgets',
  '0013-permissions': '0013-permissions',
}

/** The migrations that existed under the old names, by their new names. */
export const LEGACY_MIGRATIONS: ReadonlySet<string> = new Set(Object.values(LEGACY_NAMES))

interface MigrationRow {
  name: string
  timestamp: string
}

/** Whether the migrator's table exists (in `schema` on PostgreSQL): not before the first run. */
export async function hasHistory(db: Kysely<unknown>, schema?: string): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
  return tables.some((t) => t.name === DEFAULT_MIGRATION_TABLE && (!schema || t.schema === schema))
}

/** Queries on the migrator's table, in `schema` on PostgreSQL. */
function history(db: Kysely<unknown>, schema: string | undefined) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const any = db as Kysely<any>
  return schema === undefined ? any : any.withSchema(schema)
}

/**
 * Renames the migrations a database recorded under their old names, in one transaction; a name
 * that is new already stays (so this is idempotent, and safe from two nodes at once).
 */
export async function adoptLegacyNames(db: Kysely<unknown>, schema?: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const [old, name] of Object.entries(LEGACY_NAMES)) {
      if (old === name) continue
      await history(trx, schema)
        .updateTable(DEFAULT_MIGRATION_TABLE)
        .set({ name })
        .where('name', '=', old)
        .execute()
    }
  })
}

/** The recorded migrations in the migrator's order: by time, ties by name. */
async function recorded(db: Kysely<unknown>, schema?: string): Promise<MigrationRow[]> {
  const rows = (await history(db, schema)
    .selectFrom(DEFAULT_MIGRATION_TABLE)
    .select(['name', 'timestamp'])
    .execute()) as MigrationRow[]
  return rows.sort(
    (a, b) =>
      Date.parse(a.timestamp) - Date.parse(b.timestamp) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  )
}

/**
 * Whether the database's history is that of an older node, which applied these migrations in any
 * order: some ran out of name order, or one is missing between two that ran. Only migrations of
 * the legacy set may be so; any other disorder is left for the migrator to refuse.
 */
export async function needsLegacyCatchUp(
  db: Kysely<unknown>,
  names: string[],
  schema?: string,
): Promise<boolean> {
  const ran = (await recorded(db, schema)).map((r) => r.name)
  const inOrder = ran.every((name, i) => names[i] === name)
  return !inOrder && ran.every((name) => LEGACY_MIGRATIONS.has(name))
}

/**
 * Puts the history in name order: the recorded times, sorted, go to the names, sorted, so that
 * the migrator (which reads the history by time) finds the migrations in the order it expects.
 */
export async function orderLegacyHistory(db: Kysely<unknown>, schema?: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const rows = await recorded(trx, schema)
    const names = rows.map((r) => r.name).sort()
    for (const [i, row] of rows.entries()) {
      const name = names[i]!
      if (rows.find((r) => r.name === name)!.timestamp === row.timestamp) continue
      await history(trx, schema)
        .updateTable(DEFAULT_MIGRATION_TABLE)
        .set({ timestamp: row.timestamp })
        .where('name', '=', name)
        .execute()
    }
  })
}
