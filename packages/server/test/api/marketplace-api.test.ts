import { generateKeyPair, type KeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentCard, capability } from '../helpers/agent-cards.js'
import { get, startTestNode } from '../helpers/test-node.js'

describe('marketplace over HTTP', () => {
  let node: RunningNode
  let user: Mesh
  const userKey = generateKeyPair()
  let admin: Mesh
  const keys: KeyPair[] = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
  const [cheap, popular, other] = keys as [KeyPair, KeyPair, KeyPair]
  let task = 0

  async function completed(agent: KeyPair, capabilityId: string, times: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      await node.reputation.recordOutcome({
        taskId: `task-${task++}`,
        agentId: agent.did,
        capabilityId,
        requester: 'did:key:requester',
        result: 'completed',
        latencyMs: 20,
        paidMicros: 1_000n,
        currency: 'USD',
        atMs: Date.now(),
      })
    }
  }

  beforeAll(async () => {
    node = await startTestNode()
    user = await Mesh.connect(node.url, { key: userKey })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    const cards = [
      agentCard(cheap, {
        name: 'cheap',
        capabilities: [
          capability({
            tags: ['nlp'],
            pricing: { model: 'per_call', amount: '0.001', currency: 'USD' },
          }),
        ],
      }),
      agentCard(popular, {
        name: 'popular',
        capabilities: [
          capability({
            tags: ['nlp'],
            pricing: { model: 'per_call', amount: '0.02', currency: 'USD' },
          }),
        ],
      }),
      agentCard(other, {
        name: 'other',
        capabilities: [
          capability({
            id: 'image.caption',
            tags: ['vision'],
            pricing: { model: 'per_call', amount: '0.005', currency: 'USD' },
          }),
        ],
      }),
    ]
    for (const [i, card] of cards.entries()) {
      const agent = await Mesh.connect(node.url, { key: keys[i]!, roles: ['agent'] })
      await agent.registerAgent(card, keys[i]!)
      await agent.close()
    }
    await completed(popular, 'text.sentiment', 3)
    await completed(cheap, 'text.sentiment', 1)
  })
  afterAll(async () => {
    await Promise.all([user?.close(), admin?.close()])
    await node?.stop()
  })

  const names = (page: { results: { agentName: string }[] }) => page.results.map((r) => r.agentName)

  it('answers 401 without a token', async () => {
    expect((await get(`${node.url}/v1/capabilities`)).status).toBe(401)
  })

  it('lists popular first by completed calls, with tags, price and liveness', async () => {
    const page = await user.capabilities()
    expect(names(page)).toEqual(['popular', 'cheap', 'other'])
    expect(page.results[0]).toEqual({
      agentId: popular.did,
      agentName: 'popular',
      capabilityId: 'text.sentiment',
      description: 'Scores the sentiment of English text',
      tags: ['nlp'],
      price: { amount: '0.02', currency: 'USD' },
      online: false,
      featured: false,
      completedCalls: 3,
    })
    expect(page.nextCursor).toBeUndefined()
  })

  it('follows completed calls as they come', async () => {
    await completed(cheap, 'text.sentiment', 3)
    expect(names(await user.capabilities({ sort: 'popular' }))).toEqual([
      'cheap',
      'popular',
      'other',
    ])
  })

  it('orders by price, cheapest first, and filters by category', async () => {
    expect(names(await user.capabilities({ sort: 'price' }))).toEqual(['cheap', 'other', 'popular'])
    expect(names(await user.capabilities({ category: 'vision' }))).toEqual(['other'])
    expect(names(await user.capabilities({ category: 'nope' }))).toEqual([])
  })

  it('pages with the cursor', async () => {
    const first = await user.capabilities({ sort: 'price', limit: 2 })
    expect(names(first)).toEqual(['cheap', 'other'])
    const second = await user.capabilities({ sort: 'price', limit: 2, cursor: first.nextCursor! })
    expect(names(second)).toEqual(['popular'])
    expect(second.nextCursor).toBeUndefined()
    const mixed = await get(
      `${node.url}/v1/capabilities?sort=popular&cursor=${first.nextCursor}`,
      user.token,
    )
    expect(mixed).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } })
  })

  it('refuses a limit over 100 and an unknown sort', async () => {
    const url = `${node.url}/v1/capabilities`
    expect(await get(`${url}?limit=101`, user.token)).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_INPUT' } },
    })
    expect((await get(`${url}?limit=100`, user.token)).status).toBe(200)
    expect((await get(`${url}?sort=newest`, user.token)).status).toBe(400)
  })

  it('lets an admin feature a capability first, and audits it', async () => {
    expect(await admin.setFeatured(other.did, 'image.caption', true)).toEqual({
      agentId: other.did,
      capabilityId: 'image.caption',
      featured: true,
    })
    const page = await user.capabilities({ sort: 'featured' })
    expect(names(page)).toEqual(['other', 'cheap', 'popular'])
    expect(page.results[0]!.featured).toBe(true)
    const audit = await admin.auditEntries({ action: 'marketplace.feature' })
    expect(audit.entries.at(-1)).toMatchObject({
      result: 'ok',
      resource: `capability:${other.did}/image.caption`,
    })
    await admin.setFeatured(other.did, 'image.caption', false)
    expect(names(await user.capabilities({ sort: 'featured' }))).toEqual([
      'cheap',
      'popular',
      'other',
    ])
  })

  it('refuses featuring to a non-admin (403, audited) and an unknown capability (404)', async () => {
    await expect(user.setFeatured(other.did, 'image.caption', true)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    const audit = await admin.auditEntries({ action: 'marketplace.feature' })
    expect(audit.entries.at(-1)).toMatchObject({ result: 'denied', actor: userKey.did })
    expect((await user.capabilities({ sort: 'featured' })).results.every((r) => !r.featured)).toBe(
      true,
    )
    await expect(admin.setFeatured(other.did, 'text.nothing', true)).rejects.toMatchObject({
      code: 'CAPABILITY_NOT_FOUND',
    })
    const extra = await fetch(
      `${node.url}/v1/capabilities/${encodeURIComponent(other.did)}/image.caption/featured`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${node.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ featured: 'yes' }),
      },
    )
    expect(extra.status).toBe(400)
  })
})
