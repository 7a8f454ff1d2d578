import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { startTestNode, type ApiBody } from '../helpers/test-node.js'

const usd = (amount: string) => ({ amount, currency: 'USD' })

describe('transfers a client may make', () => {
  let node: RunningNode
  let alice: { did: string; account: string; mesh: Mesh }
  let bob: { did: string; account: string; mesh: Mesh }

  beforeAll(async () => {
    node = await startTestNode({ grant: usd('10') })
    const connect = async () => {
      const key = generateKeyPair()
      return {
        did: key.did,
        account: `${key.did}:USD`,
        mesh: await Mesh.connect(node.url, { key }),
      }
    }
    alice = await connect()
    bob = await connect()
  })
  afterAll(async () => {
    await alice?.mesh.close()
    await bob?.mesh.close()
    await node?.stop()
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
  const pay = (from: typeof alice, to: typeof alice, id: string, amount: string, more = {}) =>
    call('POST', '/v1/transfers', from.mesh.token, {
      id,
      debitAccount: from.account,
      creditAccount: to.account,
      amount: usd(amount),
      ...more,
    })

  it('keeps each principal its own transfer ids: none can be taken or probed by another', async () => {
    // Bob takes the id Alice will use next, and probes one she used: both are his own.
    expect((await pay(alice, bob, 'order-1', '1')).status).toBe(201)
    expect(await pay(bob, alice, 'order-1', '0.5')).toMatchObject({
      status: 201,
      body: { id: 'order-1', amount: usd('0.5') },
    })
    expect((await pay(bob, alice, 'order-2', '0.25')).status).toBe(201)
    expect(await pay(alice, bob, 'order-2', '2')).toMatchObject({
      status: 201,
      body: { id: 'order-2', amount: usd('2') },
    })
    // A retry still finds the principal's own transfer, and a changed one is still a conflict.
    expect((await pay(alice, bob, 'order-2', '2')).status).toBe(200)
    expect((await pay(alice, bob, 'order-2', '3')).status).toBe(409)
    // Each reads its own under the id it chose; the other side sees it under its owner.
    expect((await call('GET', '/v1/transfers/order-1', alice.mesh.token)).body).toMatchObject({
      id: 'order-1',
      amount: usd('1'),
    })
    expect((await call('GET', '/v1/transfers/order-1', bob.mesh.token)).body).toMatchObject({
      amount: usd('0.5'),
    })
    const aliceOrder = encodeURIComponent(`${alice.did}/order-1`)
    expect((await call('GET', `/v1/transfers/${aliceOrder}`, bob.mesh.token)).body).toMatchObject({
      id: `${alice.did}/order-1`,
      amount: usd('1'),
    })
    const stranger = await Mesh.connect(node.url, { key: generateKeyPair() })
    expect((await call('GET', `/v1/transfers/${aliceOrder}`, stranger.token)).status).toBe(404)
    expect((await call('GET', '/v1/transfers/order-1', stranger.token)).status).toBe(404)
    await stranger.close()
    expect((await call('GET', '/v1/ledger/verify', node.adminToken)).body).toMatchObject({
      ok: true,
    })
  })

  it('refuses the codes the node keeps for itself, so every client transfer counts against budgets', async () => {
    expect(
      (
        await call('PUT', `/v1/budgets/${alice.did}`, node.adminToken, {
          limit: usd('4'),
          period: 'day',
        })
      ).status,
    ).toBe(200)
    for (const code of ['refund', 'fee', 'escrow', 'payment', 'subscription']) {
      const answer = await pay(alice, bob, `sys-${code}`, '5', { code })
      expect(answer, code).toMatchObject({
        status: 400,
        body: { error: { code: 'INVALID_INPUT' } },
      })
    }
    expect(await pay(alice, bob, 'over-budget', '5')).toMatchObject({
      status: 402,
      body: { error: { code: 'BUDGET_EXCEEDED' } },
    })
    expect((await alice.mesh.account(alice.account)).available).toEqual(usd('7.75'))
  })

  it('refuses to post 0 against a pending transfer: a void says that', async () => {
    expect((await pay(bob, alice, 'hold', '1', { timeoutMs: 60_000 })).status).toBe(201)
    const zero = await call('POST', '/v1/transfers/hold/post', bob.mesh.token, {
      id: 'hold-post',
      amount: usd('0'),
    })
    expect(zero).toMatchObject({ status: 400, body: { error: { code: 'INVALID_AMOUNT' } } })
    expect(zero.body.error.message).toContain('void it instead')
    expect((await call('GET', '/v1/transfers/hold', bob.mesh.token)).body.state).toBe('pending')
    const voided = await call('POST', '/v1/transfers/hold/void', bob.mesh.token, {
      id: 'hold-void',
    })
    expect(voided).toMatchObject({ status: 201, body: { kind: 'void', pendingId: 'hold' } })
  })

  it("leaves the node's reservations to the node: a payer can neither post nor void its task's", async () => {
    await node.escrow.reserve({
      reservationId: 'task_held',
      payer: alice.did,
      currency: 'USD',
      amountMicros: 500_000n,
      timeoutMs: 60_000,
      reference: 'task_held',
    })
    for (const action of ['post', 'void']) {
      const answer = await call(
        'POST',
        `/v1/transfers/${encodeURIComponent('reserve:task_held')}/${action}`,
        alice.mesh.token,
        { id: `steal-${action}` },
      )
      expect(answer, action).toMatchObject({
        status: 404,
        body: { error: { code: 'TRANSFER_NOT_FOUND' } },
      })
    }
    expect((await node.ledger.getTransfer('reserve:task_held'))?.state).toBe('pending')
    await node.escrow.release('task_held')
  })
})
