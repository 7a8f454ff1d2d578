import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../../src/adapters/store/database.js'
import { HostedLeaseStore } from '../../../src/adapters/store/hosted-lease-store.js'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { connectPostgres } from '../../../src/adapters/store/postgres/connect.js'
import {
  emptyUsage,
  type HostedAgent,
  type Template,
} from '../../../src/core/hosted/hosted-types.js'
import type { Store } from '../../../src/core/store.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

const limits = { memoryBytes: 1 << 24, cpuMs: 100, wallMs: 1000 }

function agent(id: string, state: HostedAgent['state'] = 'started'): HostedAgent {
  return {
    id,
    owner: id,
    name: id,
    state,
    codeHash: 'ab'.repeat(32),
    codeBytes: 10,
    capabilities: ['x'],
    limits,
    resourcePrice: null,
    allowedHosts: [],
    params: {},
    templateId: null,
    usage: emptyUsage(),
    createdAtMs: 1,
    updatedAtMs: 1,
  }
}

function template(id: string, createdAtMs: number): Template {
  return {
    id,
    owner: 'did:owner',
    sourceAgentId: 'did:owner',
    name: id,
    description: 'a template',
    category: 'c',
    licence: 'MIT',
    paramsSchema: {},
    deployPriceMicros: null,
    currency: 'USD',
    codeHash: 'ab'.repeat(32),
    card: { name: id, description: 'd', capabilities: [] },
    limits,
    allowedHosts: [],
    deployments: 0,
    rating: { count: 0, average: null },
    createdAtMs,
  }
}

/** Templates with ratings and hosted agents' logs (migration 0019) on one implementation. */
function hostedStoresContract(name: string, open: () => Promise<Store>, skipReason?: string) {
  describe.skipIf(skipReason !== undefined)(
    `Template and hosted log stores: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store
      beforeAll(async () => {
        store = await open()
      })
      afterAll(() => store.close())

      it('keeps one rating per rater, its creation time, and the mean on the template', async () => {
        await store.templates.putTemplate(template('tpl_a', 1))
        await store.templates.putTemplate(template('tpl_b', 2))
        await store.templates.putTemplate(template('tpl_c', 3))
        expect(await store.templates.hasDeployed('tpl_a', 'did:r1')).toBe(false)
        await store.templates.countDeployment('tpl_a', 'did:r1', 5)
        await store.templates.countDeployment('tpl_a', 'did:r1', 6)
        expect(await store.templates.hasDeployed('tpl_a', 'did:r1')).toBe(true)
        const rate = (id: string, rater: string, stars: number, atMs: number) =>
          store.templates.rate({
            templateId: id,
            rater,
            stars,
            comment: null,
            createdAtMs: atMs,
            updatedAtMs: atMs,
          })
        await Promise.all([rate('tpl_a', 'did:r1', 1, 10), rate('tpl_a', 'did:r2', 4, 10)])
        const replaced = await rate('tpl_a', 'did:r1', 5, 20)
        expect(replaced).toMatchObject({ stars: 5, createdAtMs: 10, updatedAtMs: 20 })
        await rate('tpl_b', 'did:r3', 4, 30)
        expect(await store.templates.template('tpl_a')).toMatchObject({
          deployments: 2,
          rating: { count: 2, average: 4.5 },
        })
        const sorted = await store.templates.templates({ sort: 'rating', limit: 10, offset: 0 })
        expect(sorted.map((t) => t.id)).toEqual(['tpl_a', 'tpl_b', 'tpl_c'])
        const ratings = await store.templates.ratings('tpl_a', 10, 0)
        expect(ratings.map((r) => r.rater)).toEqual(['did:r1', 'did:r2'])
      })

      it('keeps the newest lines of each agent up to the cap, in order', async () => {
        const line = (agentId: string, n: number) => ({
          agentId,
          atMs: n,
          level: 'info' as const,
          message: `line ${n}`,
        })
        const lines = Array.from({ length: 250 }, (_, n) => line(n % 2 ? 'did:odd' : 'did:even', n))
        await store.hostedLogs.append(lines, 50)
        const odd = await store.hostedLogs.lines('did:odd', 1000)
        expect(odd.map((l) => l.atMs)).toEqual(
          lines
            .filter((l) => l.agentId === 'did:odd')
            .slice(-50)
            .map((l) => l.atMs),
        )
        expect((await store.hostedLogs.lines('did:even', 3)).map((l) => l.message)).toEqual([
          'line 244',
          'line 246',
          'line 248',
        ])
        await store.hostedLogs.forget('did:odd')
        expect(await store.hostedLogs.lines('did:odd', 10)).toEqual([])
        expect(await store.hostedLogs.lines('did:even', 100)).toHaveLength(50)
      })
    },
  )
}

hostedStoresContract('SQLite', () => openStore({ kind: 'sqlite', filename: ':memory:' }))

const skip = await postgresSkipReason()
const schema = freshSchema()
hostedStoresContract(
  'PostgreSQL',
  () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
  skip,
)

describe.skipIf(skip !== undefined)('hosted-agent leases on PostgreSQL', () => {
  let store: Store
  let db: Kysely<Database>
  let leases: HostedLeaseStore
  beforeAll(async () => {
    store = await openStore({ kind: 'postgres', url: postgresUrl, schema })
    db = await connectPostgres(postgresUrl, { schema })
    leases = new HostedLeaseStore(db)
    for (const a of [agent('did:l1'), agent('did:l2'), agent('did:l3', 'stopped')])
      await store.hosted.put(a)
  })
  afterAll(async () => {
    await db?.destroy()
    await store?.close()
    await dropPostgresSchema(postgresUrl, schema)
  })

  it('gives each started agent to one node, renewed by it alone, taken over once it lapses', async () => {
    expect(await leases.take('did:l1', 'n1', 0, 1000)).toBe(1)
    expect(await leases.take('did:l1', 'n2', 500, 1500)).toBeUndefined()
    // Two nodes claim the rest at once: each started agent goes to one; the stopped one to none.
    const [a, b] = await Promise.all([
      leases.claim('n2', 500, 1500, 10),
      leases.claim('n3', 500, 1500, 10),
    ])
    expect([...a, ...b]).toEqual([{ agentId: 'did:l2', epoch: 1 }])
    // n1's lease stands while renewed; n2 cannot renew what it does not hold.
    expect(await leases.renew('n1', [{ agentId: 'did:l1', epoch: 1 }], 3000)).toEqual(['did:l1'])
    expect(await leases.renew('n2', [{ agentId: 'did:l1', epoch: 1 }], 3000)).toEqual([])
    // Past its expiry another node takes it, one epoch higher; the old holder's renewal fails.
    expect(await leases.claim('n2', 3001, 4000, 10)).toEqual([
      { agentId: 'did:l1', epoch: 2 },
      { agentId: 'did:l2', epoch: 2 },
    ])
    expect(await leases.renew('n1', [{ agentId: 'did:l1', epoch: 1 }], 5000)).toEqual([])
    // A stopped agent's lease is not renewed; a released one is taken at once.
    await store.hosted.put(agent('did:l1', 'stopped'))
    expect(await leases.renew('n2', [{ agentId: 'did:l1', epoch: 2 }], 5000)).toEqual([])
    expect(await leases.release('n2')).toBeGreaterThan(0)
    await store.hosted.put(agent('did:l1'))
    expect(await leases.claim('n3', 3002, 6000, 10)).toEqual([
      { agentId: 'did:l1', epoch: 3 },
      { agentId: 'did:l2', epoch: 3 },
    ])
    await leases.remove('did:l1')
    expect(await leases.take('did:l1', 'n1', 3003, 7000)).toBe(1)
  })
})
