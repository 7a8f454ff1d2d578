import pg from 'pg'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { openStore } from '../../../src/adapters/store/open-store.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

const skip = await postgresSkipReason()

describe.skipIf(skip !== undefined)('a PostgreSQL database other nodes share', () => {
  const client = new pg.Client({ connectionString: postgresUrl })
  beforeAll(() => client.connect())
  afterAll(() => client.end())

  // Kysely's own introspector read every schema and failed when one was dropped meanwhile (CI saw
  // it with test files dropping their schemas in parallel); before the fix this failed each round.
  it('migrates a node while other schemas of the database are being dropped', async () => {
    for (let round = 0; round < 3; round++) {
      const others = Array.from({ length: 30 }, () => freshSchema())
      for (const other of others)
        await client.query(`create schema ${other}; create table ${other}.t (a int primary key)`)
      const schema = freshSchema()
      const drops = (async () => {
        for (const other of others) await client.query(`drop schema ${other} cascade`)
      })()
      try {
        const store = await openStore({ kind: 'postgres', url: postgresUrl, schema })
        await store.ping()
        await store.close()
      } finally {
        await drops
        await dropPostgresSchema(postgresUrl, schema)
      }
    }
  })
})
