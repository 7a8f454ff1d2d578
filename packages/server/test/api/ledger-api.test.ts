import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveNodeConfig, type RunningNode } from '../../src/node.js'
import { get, startTestNode, type ApiBody } from '../helpers/test-node.js'

const usd = (amount: string) => ({ amount, currency: 'USD' })

async function send(
  method: string,
  url: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: ApiBody }> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

describe('ledger over HTTP', () => {
  let node: RunningNode
  let alice: Mesh
  let bob: Mesh
  let aliceAccount: string
  let bobAccount: string
  let n = 0
  const id = () => `t-${++n}-${Date.now()}`
  const as = (mesh: Mesh | string) => (typeof mesh === 'string' ? mesh : mesh.token)
  const postTo = (who: Mesh | string, path: string, body: unknown) =>
    send('POST', `${node.url}${path}`, as(who), body)

  beforeAll(async () => {
    const defaults = resolveNodeConfig({ memory: true }, {})
    node = await startTestNode({
      grant: usd('5'),
      ledger: { ...defaults.ledger, expiryIntervalMs: 10 },
    })
    const a = generateKeyPair()
    const b = generateKeyPair()
    alice = await Mesh.connect(node.url, { key: a })
    bob = await Mesh.connect(node.url, { key: b })
    aliceAccount = `${a.did}:USD`
    bobAccount = `${b.did}:USD`
  })
  afterAll(async () => {
    await alice?.close()
    await bob?.close()
    await node?.stop()
  })

  it('grants credit once to a key that registers itself', async () => {
    expect((await alice.account(aliceAccount)).available).toEqual(usd('5'))
    const again = await Mesh.connect(node.url, { key: generateKeyPair() })
    await again.close()
    expect((await alice.account(aliceAccount)).available).toEqual(usd('5'))
  })

  it('lets an admin mint and nobody else', async () => {
    const minted = await postTo(node.adminToken, '/v1/transfers', {
      id: id(),
      creditAccount: aliceAccount,
      amount: usd('10'),
      code: 'mint',
    })
    expect(minted.status).toBe(201)
    expect(minted.body).toMatchObject({ kind: 'posted', code: 'mint', amount: usd('10') })
    const denied = await postTo(alice, '/v1/transfers', {
      id: id(),
      creditAccount: aliceAccount,
      amount: usd('10'),
      code: 'mint',
    })
    expect(denied).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
  })

  it('moves money, answers a retry with the same transfer, and a changed retry with 409', async () => {
    const body = {
      id: id(),
      debitAccount: aliceAccount,
      creditAccount: bobAccount,
      amount: usd('1.5'),
    }
    expect((await postTo(alice, '/v1/transfers', body)).status).toBe(201)
    expect((await postTo(alice, '/v1/transfers', body)).status).toBe(200)
    const changed = await postTo(alice, '/v1/transfers', { ...body, amount: usd('1.6') })
    expect(changed).toMatchObject({ status: 409, body: { error: { code: 'TRANSFER_CONFLICT' } } })
    expect((await bob.account(bobAccount)).posted).toEqual(usd('6.5'))
    // Ids belong to who chose them: the other side sees them under their owner.
    const mine = await alice.accountTransfers(aliceAccount)
    expect(mine.transfers.map((t) => t.id)).toContain(body.id)
    const theirs = await bob.accountTransfers(bobAccount)
    const aliceDid = aliceAccount.replace(':USD', '')
    expect(theirs.transfers.map((t) => t.id)).toContain(`${aliceDid}/${body.id}`)
  })

  it("refuses bad amounts, other currencies and other principals' accounts", async () => {
    const base = { id: id(), debitAccount: aliceAccount, creditAccount: bobAccount }
    const cases: [unknown, number, string][] = [
      [{ ...base, amount: usd('0.0000001') }, 400, 'INVALID_AMOUNT'],
      [{ ...base, amount: usd('-1') }, 400, 'INVALID_AMOUNT'],
      [{ ...base, amount: { amount: 1, currency: 'USD' } }, 400, 'INVALID_INPUT'],
      [{ ...base, amount: { amount: '1', currency: 'EUR' } }, 400, 'CURRENCY_MISMATCH'],
      [
        { ...base, creditAccount: bobAccount.replace(':USD', ':EUR'), amount: usd('1') },
        400,
        'CURRENCY_MISMATCH',
      ],
      [{ ...base, amount: usd('0') }, 400, 'INVALID_AMOUNT'],
      [{ ...base, amount: usd('1'), extra: 1 }, 400, 'UNKNOWN_FIELD'],
      [
        { ...base, debitAccount: bobAccount, creditAccount: aliceAccount, amount: usd('1') },
        403,
        'FORBIDDEN',
      ],
      [{ ...base, amount: usd('1000') }, 402, 'INSUFFICIENT_FUNDS'],
    ]
    for (const [body, status, code] of cases) {
      const answer = await postTo(alice, '/v1/transfers', body)
      expect({ body, status: answer.status, code: answer.body.error?.code }).toEqual({
        body,
        status,
        code,
      })
    }
    expect((await send('GET', `${node.url}/v1/accounts/${bobAccount}`, alice.token)).status).toBe(
      403,
    )
  })

  it('posts a pending transfer once, in part, and refuses a larger post, a second post or a void', async () => {
    const pendingId = id()
    const pending = await postTo(alice, '/v1/transfers', {
      id: pendingId,
      debitAccount: aliceAccount,
      creditAccount: bobAccount,
      amount: usd('2'),
      timeoutMs: 60_000,
    })
    expect(pending).toMatchObject({ status: 201, body: { kind: 'pending', state: 'pending' } })
    const before = await alice.account(aliceAccount)
    expect(before.pending).toEqual(usd('2'))
    // Bob's ids are his own: he finds no pending transfer of that id, let alone Alice's.
    expect((await postTo(bob, `/v1/transfers/${pendingId}/post`, { id: id() })).status).toBe(404)
    const tooMuch = await postTo(alice, `/v1/transfers/${pendingId}/post`, {
      id: id(),
      amount: usd('2.01'),
    })
    expect(tooMuch).toMatchObject({
      status: 409,
      body: { error: { code: 'AMOUNT_EXCEEDS_PENDING' } },
    })
    const posted = await postTo(alice, `/v1/transfers/${pendingId}/post`, {
      id: id(),
      amount: usd('0.5'),
    })
    expect(posted).toMatchObject({
      status: 201,
      body: { kind: 'post', amount: usd('0.5'), pendingId },
    })
    const second = await postTo(alice, `/v1/transfers/${pendingId}/post`, { id: id() })
    expect(second).toMatchObject({
      status: 409,
      body: { error: { code: 'PENDING_ALREADY_RESOLVED' } },
    })
    const voided = await postTo(alice, `/v1/transfers/${pendingId}/void`, { id: id() })
    expect(voided).toMatchObject({
      status: 409,
      body: { error: { code: 'PENDING_ALREADY_RESOLVED' } },
    })
    const after = await alice.account(aliceAccount)
    expect(after.pending).toEqual(usd('0'))
    expect(Number(after.available.amount)).toBeCloseTo(Number(before.available.amount) + 1.5, 6)
  })

  it('voids a pending transfer by itself when its timeout passes', async () => {
    const pendingId = id()
    await postTo(alice, '/v1/transfers', {
      id: pendingId,
      debitAccount: aliceAccount,
      creditAccount: bobAccount,
      amount: usd('1'),
      timeoutMs: 1,
    })
    let state: string | undefined
    while (state !== 'expired')
      state = (await send('GET', `${node.url}/v1/transfers/${pendingId}`, alice.token)).body.state
    const late = await postTo(alice, `/v1/transfers/${pendingId}/post`, { id: id() })
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'PENDING_EXPIRED' } } })
  })

  it('answers each item of a batch, and fails linked items together', async () => {
    const first = id()
    const answer = await postTo(alice, '/v1/transfers/batch', {
      transfers: [
        {
          id: first,
          debitAccount: aliceAccount,
          creditAccount: bobAccount,
          amount: usd('0.1'),
          linked: true,
        },
        { id: id(), debitAccount: aliceAccount, creditAccount: bobAccount, amount: usd('9999') },
        { id: id(), debitAccount: aliceAccount, creditAccount: bobAccount, amount: usd('0.2') },
      ],
    })
    expect(answer.status).toBe(200)
    expect((answer.body.results as ApiBody[]).map((r: ApiBody) => r.result as string)).toEqual([
      'linked_event_failed',
      'insufficient_funds',
      'ok',
    ])
    expect(answer.body.results[1].error.code).toBe('INSUFFICIENT_FUNDS')
    expect((await send('GET', `${node.url}/v1/transfers/${first}`, alice.token)).status).toBe(404)
  })

  it('settles escrow exactly once with the platform fee as a linked transfer', async () => {
    const reservationId = id()
    await node.escrow.reserve({
      reservationId,
      payer: aliceAccount.replace(':USD', ''),
      currency: 'USD',
      amountMicros: 1_000_000n,
      timeoutMs: 60_000,
      reference: 'task-1',
    })
    const bobBefore = await bob.account(bobAccount)
    const settle = { reservationId, payee: bobAccount.replace(':USD', ''), amountMicros: 600_000n }
    await node.escrow.settle(settle)
    await node.escrow.settle(settle)
    await expect(node.escrow.settle({ ...settle, amountMicros: 500_000n })).rejects.toMatchObject({
      code: 'TRANSFER_CONFLICT',
    })
    await expect(node.escrow.release(reservationId)).rejects.toMatchObject({
      code: 'PENDING_ALREADY_RESOLVED',
    })
    const bobAfter = await bob.account(bobAccount)
    expect(Number(bobAfter.posted.amount) - Number(bobBefore.posted.amount)).toBeCloseTo(0.6, 6)
  })

  it('verifies the ledger for an admin only, through the SDK', async () => {
    const admin = await Mesh.connect(node.url, { token: node.adminToken })
    const report = await admin.verifyLedger()
    expect(report).toMatchObject({ ok: true, problems: [] })
    expect(report.transfers).toBeGreaterThan(5)
    expect((await get(`${node.url}/v1/ledger/verify`, alice.token)).status).toBe(403)
    const openapi = await get(`${node.url}/openapi.json`)
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/v1/transfers', '/v1/accounts/{id}', '/v1/budgets/{principal}']),
    )
  })
})
