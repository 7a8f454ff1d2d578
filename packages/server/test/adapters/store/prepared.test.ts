import type { Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Database } from '../../../src/adapters/store/database.js'
import { Prepared, type Param } from '../../../src/adapters/store/prepared.js'
import { withStatementCache } from '../../../src/adapters/store/sqlite/statement-cache.js'
import SqliteDatabase from 'better-sqlite3'
import type { Store } from '../../../src/core/store.js'
import { onBothDatabases } from '../../helpers/store-backends.js'

type Db = Kysely<Database>

function preparedContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  skip?: string,
) {
  describe.skipIf(skip !== undefined)(
    `prepared queries on ${name}${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      it('runs one compiled query with new values each time, fixed values kept, in and out of a transaction', async () => {
        const store = await open()
        try {
          // Every Kysely store keeps its database; the task store's serves here.
          const db = (store.tasks as unknown as { db: Db }).db
          const insert = new Prepared((p: Param<{ did: string; at: number }>) =>
            db
              .insertInto('principals')
              .values({ did: p('did'), roles: '["user"]', created_at: p('at') }),
          )
          const byDid = new Prepared((p: Param<{ did: string }>) =>
            db.selectFrom('principals').select(['did', 'roles']).where('did', '=', p('did')),
          )
          await insert.run(db, { did: 'did:example:a', at: 1 })
          await db.transaction().execute(async (trx) => {
            await insert.run(trx, { did: 'did:example:b', at: 2 })
            expect(await byDid.first(trx, { did: 'did:example:b' })).toEqual({
              did: 'did:example:b',
              roles: '["user"]',
            })
          })
          expect(await byDid.first(db, { did: 'did:example:a' })).toEqual({
            did: 'did:example:a',
            roles: '["user"]',
          })
          expect(await byDid.first(db, { did: 'did:example:none' })).toBeUndefined()
          // A rolled-back transaction leaves nothing behind.
          await expect(
            db.transaction().execute(async (trx) => {
              await insert.run(trx, { did: 'did:example:c', at: 3 })
              throw new Error('roll back')
            }),
          ).rejects.toThrow('roll back')
          expect(await byDid.first(db, { did: 'did:example:c' })).toBeUndefined()
        } finally {
          await store.close()
          await cleanup()
        }
      })
    },
  )
}

await onBothDatabases(preparedContract)

describe('the SQLite statement cache', () => {
  it('reuses a statement for the same SQL and drops the least recently used beyond its size', () => {
    const raw = new SqliteDatabase(':memory:')
    const cached = withStatementCache(raw, 2)
    const a = cached.prepare('select 1 as v')
    expect(cached.prepare('select 1 as v')).toBe(a)
    const b = cached.prepare('select 2 as v')
    cached.prepare('select 1 as v') // a is now the most recently used
    cached.prepare('select 3 as v') // evicts b
    expect(cached.prepare('select 1 as v')).toBe(a)
    expect(cached.prepare('select 2 as v')).not.toBe(b)
    expect(cached.prepare('select 2 as v').get()).toEqual({ v: 2 })
    cached.close()
    expect(raw.open).toBe(false)
  })
})
