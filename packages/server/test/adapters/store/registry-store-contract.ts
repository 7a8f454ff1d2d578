import { generateKeyPair, type AgentCard } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentRecord } from '../../../src/core/registry/registry-store.js'
import type { Store } from '../../../src/core/store.js'
import { agentCard, capability } from '../../helpers/agent-cards.js'
import type { StoreFactory } from './store-contract.js'

function recordOf(card: AgentCard, atMs = 1000): AgentRecord {
  return {
    agentId: card.did,
    card,
    jws: `jws-of-v${card.version}`,
    version: card.version,
    registeredAtMs: 1000,
    updatedAtMs: atMs,
    removedAtMs: null,
  }
}

const event = (agentId: string, type: 'registered' | 'updated' = 'registered') => ({
  type,
  agentId,
  atMs: 1000,
  data: { version: 1 },
})

/** The registry part of the Store contract. Run once per backend. */
export function registryStoreContract(
  name: string,
  factory: StoreFactory,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(
    `Registry store contract: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store

      beforeAll(async () => {
        store = await factory.open()
      })
      afterAll(async () => {
        await store?.close()
        await factory.cleanup()
      })

      it('stores a card, refuses a version that is not higher, and keeps every version', async () => {
        const card = agentCard(generateKeyPair(), { name: 'contract-versions' })
        const first = await store.registry.put(recordOf(card), event(card.did))
        expect(first).toMatchObject({ type: 'registered', agentId: card.did })
        expect(await store.registry.put(recordOf(card), event(card.did))).toBeUndefined()
        const v2 = { ...card, version: 2, description: 'v2' }
        expect(
          await store.registry.put(recordOf(v2, 2000), event(card.did, 'updated')),
        ).toBeDefined()
        expect(await store.registry.get(card.did)).toEqual({ ...recordOf(v2, 2000) })
        expect((await store.registry.versions(card.did)).map((v) => [v.version, v.jws])).toEqual([
          [1, 'jws-of-v1'],
          [2, 'jws-of-v2'],
        ])
      })

      it('removes an agent from search but keeps its record and history', async () => {
        const card = agentCard(generateKeyPair(), { name: 'contractremoved' })
        await store.registry.put(recordOf(card), event(card.did))
        expect(await store.registry.match({ terms: ['contractremoved'], limit: 10 })).toHaveLength(
          1,
        )
        expect(
          await store.registry.remove(card.did, 5000, { ...event(card.did), type: 'removed' }),
        ).toBeDefined()
        expect(
          await store.registry.remove(card.did, 6000, { ...event(card.did), type: 'removed' }),
        ).toBeUndefined()
        expect(await store.registry.match({ terms: ['contractremoved'], limit: 10 })).toEqual([])
        expect((await store.registry.get(card.did))?.removedAtMs).toBe(5000)
        expect(await store.registry.versions(card.did)).toHaveLength(1)
      })

      it('matches words of names, dotted ids, tags and descriptions, best first', async () => {
        const strong = agentCard(generateKeyPair(), {
          name: 'zebra translator',
          capabilities: [capability({ id: 'zebra.translate', tags: ['zebra-tag'] })],
        })
        const weak = agentCard(generateKeyPair(), {
          name: 'other',
          description: 'Mentions a zebra once, among many other words of description',
        })
        await store.registry.put(recordOf(strong), event(strong.did))
        await store.registry.put(recordOf(weak), event(weak.did))
        const matches = await store.registry.match({ terms: ['zebra'], limit: 10 })
        expect(matches.map((m) => m.agentId)).toEqual([strong.did, weak.did])
        expect(matches[0]!.relevance).toBeGreaterThan(matches[1]!.relevance)
        expect(matches[0]).toMatchObject({
          agentName: 'zebra translator',
          capabilityId: 'zebra.translate',
          priceMicros: 1000n,
          currency: 'USD',
          timeoutMs: 2000,
          p95LatencyMs: 200,
          concurrency: 1,
        })
        const prefix = await store.registry.match({ terms: ['translat'], limit: 10 })
        expect(prefix.map((m) => m.agentId)).toEqual([strong.did])
        const tagged = await store.registry.match({ terms: [], tags: ['zebra-tag'], limit: 10 })
        expect(tagged.map((m) => m.agentId)).toEqual([strong.did])
        const full = await store.registry.capabilities([
          { agentId: strong.did, capabilityId: 'zebra.translate' },
        ])
        expect(full.get(`${strong.did} zebra.translate`)).toEqual(strong.capabilities[0])
      })

      it('filters and orders by price up to the largest amount', async () => {
        const amounts = ['999999999999999999.999999', '0.5', '12', '0']
        const cards = amounts.map((amount) =>
          agentCard(generateKeyPair(), {
            capabilities: [
              capability({
                id: 'contract.priced',
                pricing: { model: 'per_call', amount, currency: 'XPRICE' },
              }),
            ],
          }),
        )
        for (const card of cards) await store.registry.put(recordOf(card), event(card.did))
        const all = await store.registry.match({ terms: [], currency: 'XPRICE', limit: 10 })
        expect(all.map((m) => m.priceMicros)).toEqual([0n, 500_000n, 12_000_000n, 10n ** 24n - 1n])
        const capped = await store.registry.match({
          terms: [],
          currency: 'XPRICE',
          maxPriceMicros: 12_000_000n,
          excludeAgentIds: [cards[3]!.did],
          limit: 10,
        })
        expect(capped.map((m) => m.priceMicros)).toEqual([500_000n, 12_000_000n])
        const only = await store.registry.match({
          terms: [],
          capabilityId: 'contract.priced',
          agentIds: [cards[1]!.did],
          limit: 10,
        })
        expect(only.map((m) => m.agentId)).toEqual([cards[1]!.did])
      })

      it('numbers events and reads them after a sequence number', async () => {
        const before = await store.registry.lastEventSeq()
        const a = await store.registry.appendEvent({
          type: 'online',
          agentId: 'did:a',
          atMs: 1,
          data: {},
        })
        const b = await store.registry.appendEvent({
          type: 'offline',
          agentId: 'did:a',
          atMs: 2,
          data: { why: 'ttl' },
        })
        expect(a.seq).toBeGreaterThan(before)
        expect(b.seq).toBeGreaterThan(a.seq)
        expect(await store.registry.eventsAfter(a.seq, 10)).toEqual([b])
        expect(await store.registry.lastEventSeq()).toBe(b.seq)
      })

      it('stores embeddings with the capabilities and reads them by key, agent and page', async () => {
        const card = agentCard(generateKeyPair(), {
          name: 'contract-embeddings',
          capabilities: [capability({ id: 'embed.one' }), capability({ id: 'embed.two' })],
        })
        const vectors = [Float32Array.of(0.6, -0.8, 0), Float32Array.of(0, 0.25, -1e-7)]
        await store.registry.put(recordOf(card), event(card.did), { model: 'test-model', vectors })
        const own = await store.registry.embeddings({ agentId: card.did })
        expect(own.map((e) => [e.agentId, e.model, e.vector])).toEqual([
          [card.did, 'test-model', vectors[0]],
          [card.did, 'test-model', vectors[1]],
        ])
        const [first, second] = own.map((e) => e.key)
        const byKey = await store.registry.match({
          terms: [],
          keys: [second!],
          limit: 10,
          withEmbedding: true,
        })
        expect(byKey.map((m) => [m.key, m.capabilityId, m.embedding])).toEqual([
          [second, 'embed.two', vectors[1]],
        ])
        const page = await store.registry.embeddings({ afterKey: first!, limit: 1 })
        expect(page.map((e) => e.key)).toEqual([second])
        // Stored again by another model; a card stored without embeddings has none.
        await store.registry.setEmbeddings('other-model', [{ key: first!, vector: vectors[1]! }])
        const plain = agentCard(generateKeyPair(), { name: 'contract-no-embeddings' })
        await store.registry.put(recordOf(plain), event(plain.did))
        expect(
          (await store.registry.embeddings({ agentId: card.did })).map((e) => e.model),
        ).toEqual(['other-model', 'test-model'])
        expect(await store.registry.embeddings({ agentId: plain.did })).toMatchObject([
          { model: null, vector: null },
        ])
        expect(await store.registry.match({ terms: [], keys: [], limit: 10 })).toEqual([])
      })
    },
  )
}
