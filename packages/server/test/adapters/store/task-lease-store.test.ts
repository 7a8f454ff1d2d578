import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../../src/adapters/store/database.js'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { connectPostgres } from '../../../src/adapters/store/postgres/connect.js'
import { TaskLeaseStore } from '../../../src/adapters/store/task-lease-store.js'
import type { Store } from '../../../src/core/store.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

const skip = await postgresSkipReason()

describe.skipIf(skip !== undefined)('task leases in PostgreSQL', () => {
  const schema = freshSchema()
  let store: Store
  let writes: Kysely<Database>
  let keeper: Kysely<Database>
  let leases: TaskLeaseStore

  const addTask = (id: string, state: string) =>
    sql`insert into tasks (id, requester, capability_id, state, created_at, updated_at, document)
      values (${id}, 'did:key:zRequester', 'text.echo', ${state}, 1, 1, '{}')`.execute(writes)
  const addLease = (id: string, owner: string, expiresAtMs: number) =>
    sql`insert into task_leases (task_id, owner, epoch, expires_at)
      values (${id}, ${owner}, 1, ${expiresAtMs})`.execute(writes)

  beforeAll(async () => {
    store = await openStore({ kind: 'postgres', url: postgresUrl, schema })
    // One connection for task writes, as if a burst held them all.
    writes = await connectPostgres(postgresUrl, { schema, maxConnections: 1 })
    keeper = await connectPostgres(postgresUrl, { schema, maxConnections: 1 })
    leases = new TaskLeaseStore(writes, keeper)
  })

  afterAll(async () => {
    await writes?.destroy()
    await keeper?.destroy()
    await store?.close()
    await dropPostgresSchema(postgresUrl, schema)
  })

  // Renewals once shared the task writes' connections: under a burst they queued until the
  // leases lapsed, and another node took over tasks that still ran here.
  it('renews while every connection for task writes is taken', async () => {
    await addTask('task_busy', 'running')
    await addLease('task_busy', 'node-a', 1000)
    let renewed: string[] = []
    await writes.connection().execute(async () => {
      renewed = await leases.renew('node-a', [{ taskId: 'task_busy', epoch: 1 }], 5000)
    })
    expect(renewed).toEqual(['task_busy'])
  })

  it('takes over lapsed leases, and tasks without any lease only when asked', async () => {
    await addTask('task_lapsed', 'running')
    await addLease('task_lapsed', 'node-dead', 10)
    await addTask('task_standing', 'running')
    await addLease('task_standing', 'node-alive', 10_000)
    await addTask('task_unleased', 'pending')
    await addTask('task_done', 'completed')
    await addLease('task_done', 'node-dead', 10)

    expect(await leases.claim('node-b', 100, 2000, 10)).toEqual([
      { taskId: 'task_lapsed', epoch: 2 },
    ])
    expect(await leases.claim('node-b', 100, 2000, 10, { unleased: true })).toEqual([
      { taskId: 'task_unleased', epoch: 1 },
    ])
    expect(await leases.claim('node-b', 100, 2000, 10, { unleased: true })).toEqual([])
    expect(await leases.ownerOf('task_standing', 100)).toBe('node-alive')
  })
})
