import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../../src/adapters/store/database.js'
import { connectPostgres } from '../../../src/adapters/store/postgres/connect.js'
import { postgresDialect } from '../../../src/adapters/store/postgres/dialect.js'
import { connectSqlite } from '../../../src/adapters/store/sqlite/connect.js'
import { sqliteDialect } from '../../../src/adapters/store/sqlite/dialect.js'
import type { StoreDialect } from '../../../src/adapters/store/store-dialect.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

/** Runs `work`, answering what it threw. */
async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work()
  } catch (error) {
    return error
  }
  throw new Error('Expected a failure')
}

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

/**
 * Ways to make the database fail for real. A dialect where a failure cannot happen says why
 * instead (`string`): its case is skipped with that reason.
 */
interface Failures {
  /** Two transactions each waiting for a row the other locked. */
  deadlock: ((db: Kysely<Database>) => Promise<unknown>) | string
  /** A snapshot transaction writing a row another committed since its snapshot. */
  serializationFailure: ((db: Kysely<Database>) => Promise<unknown>) | string
  /** The database going away or refusing. */
  unavailable: (() => Promise<unknown>)[] | string
}

function storeDialectContract(
  dialect: StoreDialect,
  open: () => Promise<{ db: Kysely<Database>; close: () => Promise<void> }>,
  failures: Failures,
) {
  describe(`StoreDialect contract: ${dialect.name}`, () => {
    let db: Kysely<Database>
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ db, close } = await open())
      await sql`create table rows_under_test (id integer primary key, v integer not null)`.execute(
        db,
      )
      await sql`insert into rows_under_test (id, v) values (1, 0), (2, 0)`.execute(db)
    })
    afterAll(() => close())

    const classification = (error: unknown) => ({
      uniqueViolation: dialect.isUniqueViolation(error),
      retryable: dialect.isRetryable(error),
      unavailable: dialect.isUnavailable(error),
    })

    it('classifies a duplicate key as a unique violation, never as unavailable', async () => {
      const error = await failure(() =>
        sql`insert into rows_under_test (id, v) values (1, 0)`.execute(db),
      )
      expect(classification(error)).toMatchObject({ uniqueViolation: true, unavailable: false })
    })

    it('classifies an ordinary failure (no such table) as none of these', async () => {
      const error = await failure(() => sql`select * from no_such_table`.execute(db))
      expect(classification(error)).toEqual({
        uniqueViolation: false,
        retryable: false,
        unavailable: false,
      })
    })

    const { deadlock, serializationFailure, unavailable } = failures
    if (typeof deadlock === 'string') {
      it.skip(`classifies a deadlock as retryable (skipped: ${deadlock})`, () => {})
    } else {
      it('classifies a deadlock as retryable', async () => {
        const error = await deadlock(db)
        expect(classification(error)).toEqual({
          uniqueViolation: false,
          retryable: true,
          unavailable: false,
        })
      })
    }
    if (typeof serializationFailure === 'string') {
      it.skip(`classifies a serialization failure as retryable (skipped: ${serializationFailure})`, () => {})
    } else {
      it('classifies a serialization failure as retryable', async () => {
        const error = await serializationFailure(db)
        expect(classification(error)).toEqual({
          uniqueViolation: false,
          retryable: true,
          unavailable: false,
        })
      })
    }
    if (typeof unavailable === 'string') {
      it.skip(`classifies a database gone away as unavailable (skipped: ${unavailable})`, () => {})
    } else {
      it('classifies a database gone away (refused, terminated) as unavailable', async () => {
        for (const fail of unavailable) {
          expect(classification(await fail())).toEqual({
            uniqueViolation: false,
            retryable: false,
            unavailable: true,
          })
        }
      })
    }
  })
}

storeDialectContract(
  sqliteDialect,
  () => {
    const db = connectSqlite(':memory:')
    return Promise.resolve({ db, close: () => db.destroy() })
  },
  {
    deadlock: 'one connection: transactions take turns, none waits for another',
    serializationFailure: 'one connection: every transaction reads the latest state',
    unavailable: 'a file opened in this process: it cannot go away like a server',
  },
)

const skip = await postgresSkipReason()
if (skip === undefined) {
  storeDialectContract(
    postgresDialect,
    async () => {
      const schema = freshSchema()
      const db = await connectPostgres(postgresUrl, { schema })
      return {
        db,
        close: async () => {
          await db.destroy()
          await dropPostgresSchema(postgresUrl, schema)
        },
      }
    },
    {
      async deadlock(db) {
        const locked = [deferred(), deferred()]
        const both = Promise.all(locked.map((d) => d.promise))
        const cross = (first: number, second: number, mine: (typeof locked)[number]) =>
          db.transaction().execute(async (trx) => {
            await sql`update rows_under_test set v = v + 1 where id = ${first}`.execute(trx)
            mine.resolve()
            await both
            await sql`update rows_under_test set v = v + 1 where id = ${second}`.execute(trx)
          })
        const results = await Promise.allSettled([cross(1, 2, locked[0]!), cross(2, 1, locked[1]!)])
        const failed = results.filter((r) => r.status === 'rejected')
        expect(failed).toHaveLength(1)
        return (failed[0] as PromiseRejectedResult).reason as unknown
      },
      serializationFailure(db) {
        return failure(() =>
          postgresDialect.snapshot(db.transaction()).execute(async (trx) => {
            await sql`select v from rows_under_test where id = 1`.execute(trx)
            await sql`update rows_under_test set v = v + 1 where id = 1`.execute(db)
            await sql`update rows_under_test set v = v + 1 where id = 1`.execute(trx)
          }),
        )
      },
      unavailable: [
        async () => {
          const refused = await connectPostgres('postgres://postgres@127.0.0.1:1/test')
          try {
            return await failure(() => sql`select 1`.execute(refused))
          } finally {
            await refused.destroy()
          }
        },
        async () => {
          const terminated = await connectPostgres(postgresUrl)
          try {
            return await failure(() =>
              sql`select pg_terminate_backend(pg_backend_pid())`.execute(terminated),
            )
          } finally {
            await terminated.destroy()
          }
        },
      ],
    },
  )
} else {
  describe.skip(`StoreDialect contract: postgres (skipped: ${skip})`, () => {
    it('needs PostgreSQL', () => {})
  })
}
