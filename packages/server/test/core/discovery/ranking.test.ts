import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { agentCard, capability } from '../../helpers/agent-cards.js'
import { registryFixture } from '../../helpers/registry-fixture.js'

type Fixture = Awaited<ReturnType<typeof registryFixture>>

/** Two providers identical but for one axis: `better` should rank above `worse`. */
describe('search ranking, one axis at a time', () => {
  let f: Fixture

  beforeEach(async () => {
    f = await registryFixture()
  })
  afterEach(() => f.store.close())

  const pair = async (
    tweak: (which: 'better' | 'worse') => Parameters<typeof capability>[0] = () => ({}),
  ) => {
    const card = (which: 'better' | 'worse') => (key: Parameters<typeof agentCard>[0]) =>
      agentCard(key, { name: 'translator', capabilities: [capability(tweak(which))] })
    const better = await f.add(card('better'))
    const worse = await f.add(card('worse'))
    return { better: better.did, worse: worse.did }
  }

  const rank = async (options: { maxPrice?: string } = {}) => {
    const page = await f.discovery.search({ q: 'translator', explain: true, ...options })
    return page.results
  }

  it('ranks the cheaper provider higher and says it is cheaper', async () => {
    const ids = await pair((w) => ({
      pricing: { model: 'per_call', amount: w === 'better' ? '0.001' : '0.004', currency: 'USD' },
    }))
    const [first, second] = await rank()
    expect(first?.agentId).toBe(ids.better)
    expect(second?.agentId).toBe(ids.worse)
    expect(first?.explain?.parts.price.reason).toBe('0.001 USD, the cheapest match')
    expect(second?.explain?.parts.price.reason).toBe('0.004 USD, 4x the cheapest match (0.001 USD)')
    expect(first!.explain!.parts.price.contribution).toBeGreaterThan(
      second!.explain!.parts.price.contribution,
    )
    const withMax = await rank({ maxPrice: '0.01' })
    expect(withMax[0]?.explain?.parts.price.reason).toBe('0.001 USD is 10% of maxPrice 0.01 USD')
  })

  it('ranks the provider with the lower measured latency higher and says so', async () => {
    const ids = await pair()
    f.reputation.set(ids.better, { score: 4, p95LatencyMs: 100 })
    f.reputation.set(ids.worse, { score: 4, p95LatencyMs: 1500 })
    const [first, second] = await rank()
    expect([first?.agentId, second?.agentId]).toEqual([ids.better, ids.worse])
    expect(first?.explain?.parts.latency.reason).toBe(
      'measured p95 100 ms is 5% of the 2000 ms SLA timeout',
    )
    expect(second?.explain?.parts.latency.reason).toBe(
      'measured p95 1500 ms is 75% of the 2000 ms SLA timeout, slower than the 200 ms it promises',
    )
  })

  it('rounds an estimated p95 in its reason and counts one call in the singular', async () => {
    const ids = await pair()
    f.reputation.set(ids.better, { score: 4, calls: 1, p95LatencyMs: 123.456789 })
    f.reputation.set(ids.worse, { score: 4, calls: 2, p95LatencyMs: 7.25 })
    const results = await rank()
    const reasons = Object.fromEntries(results.map((r) => [r.agentId, r.explain!.parts]))
    expect(reasons[ids.better]!.latency.reason).toBe(
      'measured p95 123 ms is 6% of the 2000 ms SLA timeout',
    )
    expect(reasons[ids.worse]!.latency.reason).toBe(
      'measured p95 7.3 ms is 0% of the 2000 ms SLA timeout',
    )
    expect(reasons[ids.better]!.reputation.reason).toMatch(/^4\/5 over 1 call(,|$)/)
    expect(reasons[ids.worse]!.reputation.reason).toMatch(/^4\/5 over 2 calls(,|$)/)
  })

  it('ranks the better-rated provider higher and says why', async () => {
    const ids = await pair()
    f.reputation.set(ids.better, { score: 4.5, calls: 120, successRate: 0.98 })
    f.reputation.set(ids.worse, { score: 1.5, calls: 120, successRate: 0.4 })
    const [first, second] = await rank()
    expect([first?.agentId, second?.agentId]).toEqual([ids.better, ids.worse])
    expect(first?.explain?.parts.reputation.reason).toBe('4.5/5 over 120 calls, 98% successful')
    expect(second?.explain?.parts.reputation.reason).toBe('1.5/5 over 120 calls, 40% successful')
  })

  it('ranks the online provider higher and says the other is offline', async () => {
    const ids = await pair()
    f.presence.heartbeat(ids.better)
    const [first, second] = await rank()
    expect([first?.agentId, second?.agentId]).toEqual([ids.better, ids.worse])
    expect(first?.explain?.parts.liveness.reason).toBe('online now')
    expect(second?.explain?.parts.liveness.reason).toBe('offline: no heartbeat within the TTL')
  })

  it('ranks the idle provider above the busy one', async () => {
    const ids = await pair()
    f.presence.heartbeat(ids.better, 0)
    f.presence.heartbeat(ids.worse, 1)
    const [first, second] = await rank()
    expect([first?.agentId, second?.agentId]).toEqual([ids.better, ids.worse])
    expect(second?.explain?.parts.load.reason).toBe('1 of 1 task slots busy')
  })

  it('ranks a closer text match higher', async () => {
    const better = await f.add((key) => agentCard(key, { name: 'translator' }))
    await f.add((key) =>
      agentCard(key, { name: 'summarizer', description: 'Not a translator, a summarizer' }),
    )
    const [first, second] = await rank()
    expect(first?.agentId).toBe(better.did)
    expect(first!.explain!.parts.relevance.value).toBe(1)
    expect(second!.explain!.parts.relevance.value).toBeLessThan(1)
  })

  it('uses a neutral prior for an agent without reputation, and says so', async () => {
    await pair()
    const [first] = await rank()
    expect(first?.explain?.parts.reputation).toMatchObject({
      value: 0.5,
      reason: 'no reputation yet: neutral prior 2.5/5',
    })
  })

  it('follows configured weights: with price alone, the cheaper one wins over the online one', async () => {
    await f.store.close()
    f = await registryFixture({
      weights: { relevance: 0, price: 1, latency: 0, reputation: 0, liveness: 0, load: 0 },
    })
    const ids = await pair((w) => ({
      pricing: { model: 'per_call', amount: w === 'better' ? '0.001' : '0.002', currency: 'USD' },
    }))
    f.presence.heartbeat(ids.worse)
    const [first] = await rank()
    expect(first?.agentId).toBe(ids.better)
    expect(first?.explain?.parts.liveness.weight).toBe(0)
    expect(first?.explain?.parts.price.weight).toBe(1)
  })
})
