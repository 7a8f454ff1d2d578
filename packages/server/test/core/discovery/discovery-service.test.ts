import { generateKeyPair } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MATCH_CACHE_MS } from '../../../src/core/discovery/discovery-service.js'
import { REGISTRY_CHANGED } from '../../../src/core/registry/registry-service.js'
import { agentCard, capability } from '../../helpers/agent-cards.js'
import { registryFixture } from '../../helpers/registry-fixture.js'

type Fixture = Awaited<ReturnType<typeof registryFixture>>

describe('DiscoveryService', () => {
  let f: Fixture

  beforeEach(async () => {
    f = await registryFixture()
  })
  afterEach(() => f.store.close())

  const priced = (amount: string, currency = 'USD', extra = {}) =>
    capability({ pricing: { model: 'per_call', amount, currency }, ...extra })

  it('pages through every result once with the cursor', async () => {
    const ids = new Set<string>()
    for (let i = 0; i < 23; i++) {
      const key = await f.add((k) =>
        agentCard(k, { name: `pager ${i}`, capabilities: [priced(`0.00${(i % 9) + 1}`)] }),
      )
      ids.add(key.did)
    }
    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await f.discovery.search({
        q: 'pager',
        limit: 10,
        ...(cursor ? { cursor } : {}),
      })
      seen.push(...page.results.map((r) => r.agentId))
      const scores = page.results.map((r) => r.score)
      expect(scores).toEqual([...scores].sort((a, b) => b - a))
      cursor = page.nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    expect(seen).toHaveLength(23)
    expect(new Set(seen)).toEqual(ids)
  })

  it('refuses a cursor it did not issue', async () => {
    await expect(f.discovery.search({ cursor: 'garbage' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
  })

  it('filters by tags, capability, price and currency', async () => {
    const cheap = await f.add((k) =>
      agentCard(k, { capabilities: [priced('0.001', 'USD', { tags: ['nlp', 'fast'] })] }),
    )
    const dear = await f.add((k) => agentCard(k, { capabilities: [priced('0.5')] }))
    const euro = await f.add((k) => agentCard(k, { capabilities: [priced('0.001', 'EUR')] }))
    const other = await f.add((k) =>
      agentCard(k, { capabilities: [capability({ id: 'image.resize', tags: ['image'] })] }),
    )
    const ids = async (input: Parameters<Fixture['discovery']['search']>[0]) =>
      (await f.discovery.search(input)).results.map((r) => r.agentId).sort()
    expect(await ids({ tags: ['nlp', 'fast'] })).toEqual([cheap.did])
    expect(await ids({ tags: ['fa_t'] })).toEqual([])
    expect(await ids({ capability: 'image.resize' })).toEqual([other.did])
    expect(await ids({ capability: 'text.sentiment', maxPrice: '0.01' })).toEqual([cheap.did])
    expect(await ids({ maxPrice: '0.01', currency: 'EUR' })).toEqual([euro.did])
    expect(await ids({ capability: 'text.sentiment' })).toEqual(
      [cheap.did, dear.did, euro.did].sort(),
    )
  })

  it('filters by reputation (with the neutral prior) and latency', async () => {
    const good = await f.add((k) => agentCard(k))
    const slow = await f.add((k) => agentCard(k))
    const unknown = await f.add((k) =>
      agentCard(k, { capabilities: [capability({ sla: { timeoutMs: 2000 } })] }),
    )
    f.reputation.set(good.did, { score: 4.2, p95LatencyMs: 150 })
    f.reputation.set(slow.did, { score: 4.8, p95LatencyMs: 900 })
    const ids = async (input: Parameters<Fixture['discovery']['search']>[0]) =>
      (await f.discovery.search(input)).results.map((r) => r.agentId).sort()
    expect(await ids({ minReputation: 4 })).toEqual([good.did, slow.did].sort())
    expect(await ids({ minReputation: 2.5 })).toContain(unknown.did)
    expect(await ids({ maxLatencyMs: 500 })).toEqual([good.did, unknown.did].sort())
  })

  it('offers online providers of a capability with their full capability, best first', async () => {
    const cheap = await f.add((k) => agentCard(k, { capabilities: [priced('0.001')] }))
    const dear = await f.add((k) => agentCard(k, { capabilities: [priced('0.003')] }))
    const offline = await f.add((k) => agentCard(k, { capabilities: [priced('0.0001')] }))
    f.presence.connected(cheap.did)
    f.presence.connected(dear.did)
    const all = await f.discovery.candidates({ capabilityId: 'text.sentiment' })
    expect(all.map((c) => c.agentId)).toEqual([cheap.did, dear.did])
    expect(all[0]?.capability).toEqual(priced('0.001'))
    expect(all[0]?.agentName).toBe('sentiment')
    expect(all.map((c) => c.agentId)).not.toContain(offline.did)

    const failover = await f.discovery.candidates({
      capabilityId: 'text.sentiment',
      excludeAgentIds: [cheap.did],
    })
    expect(failover.map((c) => c.agentId)).toEqual([dear.did])
    const capped = await f.discovery.candidates({
      capabilityId: 'text.sentiment',
      maxPriceMicros: 2000n,
      currency: 'USD',
    })
    expect(capped.map((c) => c.agentId)).toEqual([cheap.did])
    const chosen = await f.discovery.candidates({
      capabilityId: 'text.sentiment',
      agentId: dear.did,
    })
    expect(chosen.map((c) => c.agentId)).toEqual([dear.did])
    expect(
      await f.discovery.candidates({
        capabilityId: 'text.sentiment',
        agentId: generateKeyPair().did,
      }),
    ).toEqual([])
  })

  it('reuses the task flow’s matches until the registry changes or a second passes', async () => {
    const first = await f.add((k) => agentCard(k, { capabilities: [priced('0.001')] }))
    f.presence.connected(first.did)
    const match = vi.spyOn(f.store.registry, 'match')
    const ids = async () =>
      (await f.discovery.candidates({ capabilityId: 'text.sentiment' })).map((c) => c.agentId)
    expect(await ids()).toEqual([first.did])
    expect(await ids()).toEqual([first.did])
    expect(match).toHaveBeenCalledTimes(1)
    // A registration through this node's registry drops the cached matches at once.
    const second = await f.add((k) => agentCard(k, { capabilities: [priced('0.002')] }))
    const online = new Promise<void>((resolve) => {
      const stop = f.bus.subscribe(REGISTRY_CHANGED, ({ body }) => {
        const event = body as { type: string; agentId: string }
        if (event.type === 'online' && event.agentId === second.did) resolve(stop())
      })
    })
    f.presence.connected(second.did)
    await online // its announcement, too, drops the cache
    expect(await ids()).toEqual([first.did, second.did])
    // A change the bus does not carry (another node's, say) shows once the second has passed.
    await f.store.registry.remove(second.did, f.clock.now(), {
      type: 'removed',
      agentId: second.did,
      atMs: f.clock.now(),
      data: {},
    })
    expect(await ids()).toEqual([first.did, second.did])
    f.clock.nowMs += MATCH_CACHE_MS
    expect(await ids()).toEqual([first.did])
    // Searches never use the cache.
    const calls = match.mock.calls.length
    await f.discovery.search({ capability: 'text.sentiment' })
    expect(match.mock.calls.length).toBe(calls + 1)
  })

  it('finds a capability by a word of its dotted id, its tags and the agent description', async () => {
    const key = await f.add((k) =>
      agentCard(k, {
        name: 'acme',
        description: 'Multilingual specialist',
        capabilities: [capability({ id: 'doc.ocr-extract', tags: ['vision'], description: 'x' })],
      }),
    )
    for (const q of ['ocr', 'extract', 'vision', 'multilingual', 'multiling', 'ACME']) {
      const page = await f.discovery.search({ q })
      expect(
        page.results.map((r) => r.agentId),
        q,
      ).toEqual([key.did])
    }
  })
})
