import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely'
import { migrations } from './migrations/index.js'
import type { StoreDialect } from './store-dialect.js'

/**
 * Versioned migrations, applied in name order at start. Kysely's migrator records what ran and
 * takes a lock, so running them twice, or from two nodes at once, is safe.
 */
class StaticProvider implements MigrationProvider {
  constructor(readonly dialect: StoreDialect) {}

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations(this.dialect))
  }
}

/**
 * Applies every migration not yet applied; throws with the failing migration's name. On
 * PostgreSQL `schema` names where the bookkeeping tables live: without it Kysely looks for its
 * lock table in every schema, and a database shared by several nodes or test runs (each in its own
 * schema) would make it find another's table and skip creating its own.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: StoreDialect,
  schema?: string,
): Promise<string[]> {
  // Features add migrations independently, so one may arrive with a lower number than one a
  // node has already applied; each migration touches only its own tables.
  const migrator = new Migrator({
    db,
    provider: new StaticProvider(dialect),
    allowUnorderedMigrations: true,
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
