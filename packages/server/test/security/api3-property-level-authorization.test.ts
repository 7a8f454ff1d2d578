/**
 * OWASP API3:2023 Broken Object Property Level Authorization: no request can set a property the
 * node owns — balances, reputation, task state, settlement, roles. Unknown fields are refused
 * with 400, never ignored, and the refused request writes nothing.
 */
import {
  authChallengeBytes,
  generateKeyPair,
  signBytes,
  signJws,
  toBase64url,
} from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentCard } from '../helpers/agent-cards.js'
import { securityFixture, type SecurityFixture } from './security-fixture.js'

describe('API3 property-level authorization', () => {
  let f: SecurityFixture

  beforeAll(async () => {
    f = await securityFixture()
  })
  afterAll(() => f.close())

  it('refuses a signed agent card that sets its own reputation or balance', async () => {
    const key = generateKeyPair()
    const agent = await Mesh.connect(f.node.url, { key, roles: ['agent'] })
    for (const field of ['reputation', 'balance']) {
      const card = { ...agentCard(key), [field]: 5 }
      const result = await f.call('POST', '/v1/agents', agent.token, { card: signJws(card, key) })
      expect(result.status).toBe(400)
    }
    expect((await f.call('GET', `/v1/agents/${key.did}`, agent.token)).status).toBe(404)
    await agent.close()
  })

  it('refuses a task submitted with its state, settlement, requester or provider set', async () => {
    const base = {
      capability: 'text.echo',
      input: { text: 'x' },
      maxPrice: { amount: '0.01', currency: 'USD' },
    }
    for (const extra of [
      { state: 'completed' },
      { settlement: { state: 'posted' } },
      { requester: f.bobDid },
      { providerId: f.bobDid },
      { output: { text: 'forged' } },
    ]) {
      const result = await f.call('POST', '/v1/tasks', f.alice.token, { ...base, ...extra })
      expect(result).toMatchObject({ status: 400, body: { error: { code: 'UNKNOWN_FIELD' } } })
    }
    expect((await f.call('GET', '/v1/tasks', f.alice.token)).body.tasks).toEqual([])
  })

  it('refuses a transfer or a heartbeat carrying a balance or a reputation', async () => {
    const before = await f.alice.account(`${f.aliceDid}:USD`)
    const transfer = await f.call('POST', '/v1/transfers', f.alice.token, {
      id: 'prop-1',
      creditAccount: `${f.bobDid}:USD`,
      amount: { amount: '1', currency: 'USD' },
      balance: '1000000',
    })
    expect(transfer).toMatchObject({ status: 400, body: { error: { code: 'UNKNOWN_FIELD' } } })
    expect(await f.alice.account(`${f.aliceDid}:USD`)).toEqual(before)
    const heartbeat = await f.call('POST', `/v1/agents/${f.aliceDid}/heartbeat`, f.alice.token, {
      reputation: 1,
    })
    expect(heartbeat.status).toBe(400)
  })

  it('refuses a rating with a weight of its own', async () => {
    const result = await f.call('POST', '/v1/tasks/t_none/rating', f.alice.token, {
      stars: 5,
      weight: 100,
    })
    expect(result).toMatchObject({ status: 400, body: { error: { code: 'UNKNOWN_FIELD' } } })
  })

  it('refuses a key that asks for the admin role when it signs in, and grants it nothing', async () => {
    const key = generateKeyPair()
    const challenge = await f.call('POST', '/v1/auth/challenge', undefined, { did: key.did })
    const nonce = challenge.body.nonce as string
    const signature = toBase64url(signBytes(authChallengeBytes(f.node.did, nonce), key))
    const login = await f.call('POST', '/v1/auth/token', undefined, {
      did: key.did,
      nonce,
      signature,
      roles: ['admin'],
    })
    expect(login).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    expect(await f.node.store.principals.get(key.did)).toBeUndefined()
  })
})
