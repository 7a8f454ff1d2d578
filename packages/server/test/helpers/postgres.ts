import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { dropPostgresSchema } from '../../src/adapters/store/postgres/connect.js'
import { skipUnlessCi } from './local-services.js'

/** Where the PostgreSQL tests connect. */
export const postgresUrl =
  process.env.AGENTMESH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/**
 * Checks once that PostgreSQL answers. Answers a one-line reason to skip when it does not; under
 * CI=true a missing PostgreSQL is an error, never a skip.
 */
export async function postgresSkipReason(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return undefined
  } catch (error) {
    const reason = `PostgreSQL at ${postgresUrl} is not reachable (${(error as Error).message})`
    return skipUnlessCi(reason, 'it')
  } finally {
    await client.end().catch(() => {})
  }
}

/** A schema name of its own for one test run, so runs never collide. */
export function freshSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`
}

export { dropPostgresSchema }
