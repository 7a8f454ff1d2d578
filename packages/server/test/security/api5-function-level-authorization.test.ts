/**
 * OWASP API5:2023 Broken Function Level Authorization: administrative functions — minting,
 * setting roles, verifying the whole ledger — answer 403 to everyone but an admin, and registering
 * an agent needs the agent role.
 */
import { generateKeyPair, signJws } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentCard } from '../helpers/agent-cards.js'
import { securityFixture, type SecurityFixture } from './security-fixture.js'

describe('API5 function-level authorization', () => {
  let f: SecurityFixture

  beforeAll(async () => {
    f = await securityFixture()
  })
  afterAll(() => f.close())

  const mint = (id: string, to: string) => ({
    id,
    code: 'mint',
    creditAccount: `${to}:USD`,
    amount: { amount: '1000', currency: 'USD' },
  })

  it('answers 403 when a non-admin mints, and no money appears', async () => {
    const before = await f.alice.account(`${f.aliceDid}:USD`)
    const result = await f.call('POST', '/v1/transfers', f.alice.token, mint('mint-1', f.aliceDid))
    expect(result).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    expect(await f.alice.account(`${f.aliceDid}:USD`)).toEqual(before)
    // The same request from an admin is allowed: the refusal was about the role.
    const admin = await f.call('POST', '/v1/transfers', f.admin.token, mint('mint-2', f.aliceDid))
    expect(admin.status).toBe(201)
  })

  it('answers 403 when a non-admin sets roles, its own included', async () => {
    const result = await f.call('PUT', `/v1/principals/${f.aliceDid}`, f.alice.token, {
      roles: ['admin'],
    })
    expect(result).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    expect((await f.alice.whoami()).roles).toEqual(['client'])
  })

  it('answers 403 when a non-admin verifies the whole ledger', async () => {
    expect((await f.call('GET', '/v1/ledger/verify', f.alice.token)).status).toBe(403)
    expect((await f.call('GET', '/v1/ledger/verify', f.admin.token)).status).toBe(200)
  })

  it('answers 403 when a key without the agent role registers an agent', async () => {
    const key = generateKeyPair()
    const { Mesh } = await import('@agentmesh/sdk')
    const client = await Mesh.connect(f.node.url, { key })
    const result = await f.call('POST', '/v1/agents', client.token, {
      card: signJws(agentCard(key), key),
    })
    expect(result.status).toBe(403)
    await client.close()
  })
})
