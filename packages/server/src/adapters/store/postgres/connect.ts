import { Kysely, PostgresDialect, type DatabaseIntrospector } from 'kysely'
import pg from 'pg'
import type { Database } from '../database.js'
import { SchemaIntrospector } from './schema-introspector.js'

/**
 * Opens a PostgreSQL pool. With `schema`, every connection works inside that schema (created when
 * missing), which keeps test runs and co-hosted nodes apart.
 */
export async function connectPostgres(
  url: string,
  options: { schema?: string; maxConnections?: number } = {},
): Promise<Kysely<Database>> {
  const { schema } = options
  if (schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
      throw new Error(`Schema name "${schema}" is not a plain identifier`)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(`create schema if not exists ${schema}`)
    } finally {
      await client.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  })
  // An idle client's error (the server restarting, say) must not crash the node; the next
  // query reports it.
  pool.on('error', () => {})
  return new Kysely<Database>({ dialect: new SchemaPostgresDialect({ pool }) })
}

/** Drops a schema and everything in it; for tests. */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${schema} cascade`)
  } finally {
    await client.end()
  }
}

/** PostgreSQL whose introspection (the migrator's) reads only the connection's own schema. */
class SchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaIntrospector(db)
  }
}
