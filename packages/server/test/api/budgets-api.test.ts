import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../helpers/postgres.js'
import { startTestNode, type ApiBody } from '../helpers/test-node.js'

const usd = (amount: string) => ({ amount, currency: 'USD' })
type Money = ReturnType<typeof usd>
interface BudgetBody {
  period: string
  limit: Money
  spent: Money
  adminLimit: Money | null
  ownLimit: Money | null
}
const pgSkip = await postgresSkipReason()
const schema = freshSchema()

const backends = [
  { name: 'SQLite', skip: undefined, store: undefined },
  { name: 'PostgreSQL', skip: pgSkip, store: { kind: 'postgres', url: postgresUrl, schema } },
] as const

describe.each(backends)('budgets over HTTP on $name', ({ skip, store }) => {
  let node: RunningNode
  const meshes: Mesh[] = []
  let n = 0

  beforeAll(async () => {
    if (skip) return
    node = await startTestNode({ grant: usd('100'), ...(store ? { store } : {}) })
  })
  afterAll(async () => {
    await Promise.all(meshes.map((m) => m.close()))
    await node?.stop()
    if (store) await dropPostgresSchema(postgresUrl, schema)
  })

  async function call(method: string, path: string, token: string, body?: unknown) {
    const response = await fetch(`${node.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: response.status, body: (await response.json()) as ApiBody }
  }

  /** A fresh principal with 100 USD, and a payee. */
  async function principal() {
    const key = generateKeyPair()
    const mesh = await Mesh.connect(node.url, { key })
    meshes.push(mesh)
    const payee = `${generateKeyPair().did}:USD`
    const budget = (token: string, amount: string, period: string) =>
      call('PUT', `/v1/budgets/${key.did}`, token, { limit: usd(amount), period })
    const pay = (amount: string, timeoutMs?: number) =>
      call('POST', '/v1/transfers', mesh.token, {
        id: `b-${++n}`,
        debitAccount: `${key.did}:USD`,
        creditAccount: payee,
        amount: usd(amount),
        ...(timeoutMs ? { timeoutMs } : {}),
      })
    const budgets = async () =>
      (await call('GET', `/v1/budgets/${key.did}`, mesh.token)).body.budgets as BudgetBody[]
    return { did: key.did, mesh, token: mesh.token, budget, pay, budgets }
  }

  it.skipIf(skip)(
    "refuses a principal raising an admin's budget (403) and lets it lower it",
    async () => {
      const alice = await principal()
      const admin = node.adminToken
      expect(await alice.budget(admin, '2', 'day')).toMatchObject({
        status: 200,
        body: { limit: usd('2'), adminLimit: usd('2'), ownLimit: null, period: 'day' },
      })
      const raised = await alice.budget(alice.token, '5', 'day')
      expect(raised).toMatchObject({
        status: 403,
        body: { error: { code: 'BUDGET_ABOVE_ADMIN_LIMIT' } },
      })
      expect(raised.body.error.message).toContain('"2 USD" per day an admin set')
      expect(await alice.pay('2.5')).toMatchObject({
        status: 402,
        body: { error: { code: 'BUDGET_EXCEEDED' } },
      })

      const lowered = await alice.budget(alice.token, '1', 'day')
      expect(lowered).toMatchObject({
        status: 200,
        body: { limit: usd('1'), adminLimit: usd('2'), ownLimit: usd('1') },
      })
      expect((await alice.pay('1.5')).status).toBe(402)
      // Back up to the admin's limit, never past it.
      expect((await alice.budget(alice.token, '2', 'day')).status).toBe(200)
      expect((await alice.pay('1.5')).status).toBe(201)
      expect((await alice.budget(alice.token, '2.000001', 'day')).status).toBe(403)

      // An admin's month limit binds a day limit the principal sets too; an admin may raise its own.
      expect((await alice.budget(admin, '3', 'month')).status).toBe(200)
      expect((await alice.budget(alice.token, '4', 'day')).status).toBe(403)
      expect((await alice.budget(admin, '4', 'day')).status).toBe(200)
      expect(await alice.budgets()).toMatchObject([
        { period: 'day', limit: usd('2'), adminLimit: usd('4'), ownLimit: usd('2') },
        { period: 'month', limit: usd('3'), adminLimit: usd('3'), ownLimit: null },
      ])
    },
  )

  it.skipIf(skip)('enforces day and month budgets together', async () => {
    const bob = await principal()
    expect((await bob.budget(bob.token, '3', 'day')).status).toBe(200)
    expect((await bob.budget(bob.token, '2', 'month')).status).toBe(200)
    expect((await bob.pay('2.5')).status).toBe(402) // within the day's 3, over the month's 2
    expect((await bob.pay('1.5')).status).toBe(201)
    expect((await bob.budget(bob.token, '1', 'day')).status).toBe(200)
    expect((await bob.budget(bob.token, '10', 'month')).status).toBe(200)
    expect((await bob.pay('0.5')).status).toBe(402) // within the month's 10, over the day's 1
    const budgets = await bob.budgets()
    expect(budgets.map((b) => [b.period, b.spent.amount])).toEqual([
      ['day', '1.5'],
      ['month', '1.5'],
    ])
  })

  it.skipIf(skip)('counts what was already spent in the period of a new budget', async () => {
    const carol = await principal()
    expect((await carol.pay('1.2')).status).toBe(201)
    expect((await carol.pay('0.5', 60_000)).status).toBe(201) // still held: counts
    const voided = await carol.pay('0.7', 60_000) // given back: does not count
    const void_ = `/v1/transfers/${voided.body.id}/void`
    expect((await call('POST', void_, carol.token, { id: `v-${++n}` })).status).toBe(201)
    const posted = await carol.pay('1', 60_000) // posted in part: what it paid counts
    const post = `/v1/transfers/${posted.body.id}/post`
    const paid = await call('POST', post, carol.token, { id: `p-${++n}`, amount: usd('0.4') })
    expect(paid.status).toBe(201)

    expect(await carol.budget(carol.token, '3', 'day')).toMatchObject({
      status: 200,
      body: { spent: usd('2.1'), limit: usd('3') },
    })
    expect((await carol.budget(node.adminToken, '2.5', 'month')).body.spent).toEqual(usd('2.1'))
    expect((await carol.pay('0.5')).status).toBe(402)
    expect((await carol.pay('0.4')).status).toBe(201)
    expect((await carol.budgets()).map((b) => b.spent)).toEqual([usd('2.5'), usd('2.5')])
  })

  it.skipIf(skip)("keeps another principal's budgets out of reach", async () => {
    const dave = await principal()
    const eve = await principal()
    expect((await dave.budget(eve.token, '1000', 'day')).status).toBe(403)
    expect((await call('GET', `/v1/budgets/${dave.did}`, eve.token)).status).toBe(403)
    const verify = await call('GET', '/v1/ledger/verify', node.adminToken)
    expect(verify.body).toMatchObject({ ok: true, problems: [] })
  })
})
