import { Migrator, type Kysely, type Migration } from 'kysely'
import { migrations } from './migrations/index.js'
import {
  adoptLegacyNames,
  hasHistory,
  LEGACY_MIGRATIONS,
  needsLegacyCatchUp,
  orderLegacyHistory,
} from './migrations/legacy-names.js'
import type { StoreDialect } from './store-dialect.js'

/**
 * Applies every migration not yet applied, in name order; throws with the failing migration's
 * name. Kysely's migrator records what ran and takes a lock, so running them twice, or from two
 * nodes at once, is safe; it refuses a database that ran a migration numbered after one it has
 * not run (new migrations append). On PostgreSQL `schema` names where the bookkeeping tables
 * live: without it Kysely looks for its lock table in every schema, and a database shared by
 * several nodes or test runs (each in its own schema) would make it find another's table and skip
 * creating its own.
 *
 * A database migrated before the migrations were numbered in one order holds their old names
 * (and may have run them in any order): the names are adopted first, and such a history catches
 * up on the migrations of that time in any order, then is put in name order, once.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: StoreDialect,
  schema?: string,
): Promise<string[]> {
  const all = migrations(dialect)
  const applied: string[] = []
  if (await hasHistory(db, schema).catch(storeFailed)) {
    await adoptLegacyNames(db, schema)
    if (await needsLegacyCatchUp(db, Object.keys(all).sort(), schema)) {
      const legacy = Object.entries(all).filter(([name]) => LEGACY_MIGRATIONS.has(name))
      applied.push(...(await run(db, Object.fromEntries(legacy), schema, true)))
      await orderLegacyHistory(db, schema)
    }
  }
  applied.push(...(await run(db, all, schema, false)))
  return applied
}

/** A store that fails before any migration runs (unreachable, no such database or role). */
function storeFailed(error: unknown): never {
  throw new Error(`Migrating the store failed: ${reasonOf(error)}`, { cause: error })
}

/** Runs the pending ones of `migrations`; answers the names of those it applied. */
async function run(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  schema: string | undefined,
  allowUnorderedMigrations: boolean,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    allowUnorderedMigrations,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  })
  const { error, results = [] } = await migrator.migrateToLatest()
  const failed = results.find((r) => r.status === 'Error')
  if (error !== undefined) {
    const what = failed
      ? `Migration "${failed.migrationName}" failed`
      : 'Migrating the store failed'
    throw new Error(`${what}: ${reasonOf(error)}`, { cause: error })
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

/**
 * The driver's reason, in one line: its message, or for an error without one (Node's
 * `AggregateError` when every address of a host refuses) the reasons inside it, or its code.
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  if (error.message) return error.message
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(reasonOf))].join('; ')
  }
  const { code } = error as { code?: unknown }
  return typeof code === 'string' ? code : error.name
}
