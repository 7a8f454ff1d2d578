import { generateKeyPair, type AgentCard } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Listing, ListingQuery } from '../../../src/core/marketplace/marketplace-store.js'
import type { Store } from '../../../src/core/store.js'
import { ReputationService } from '../../../src/core/reputation/reputation-service.js'
import { defaultScoring } from '../../../src/core/reputation/score.js'
import { agentCard, capability } from '../../helpers/agent-cards.js'
import { onBothDatabases } from '../../helpers/store-backends.js'

const ids = (rows: Listing[]) => rows.map((r) => `${r.agentName}/${r.capabilityId}`)

function marketplaceStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(
    `Marketplace store: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store
      const cards: AgentCard[] = []

      async function register(card: AgentCard): Promise<void> {
        await store.registry.put(
          {
            agentId: card.did,
            card,
            jws: 'jws',
            version: card.version,
            registeredAtMs: 1000,
            updatedAtMs: 1000,
            removedAtMs: null,
          },
          { type: 'registered', agentId: card.did, atMs: 1000, data: {} },
        )
        cards.push(card)
      }

      beforeAll(async () => {
        store = await open()
        // a: cheap, 1 completed call; b: dear, 3 completed (and 2 failed); c: mid, none, other tag.
        await register(
          agentCard(generateKeyPair(), {
            name: 'a',
            capabilities: [
              capability({
                id: 'text.sentiment',
                tags: ['nlp'],
                pricing: { model: 'per_call', amount: '0.001', currency: 'USD' },
              }),
            ],
          }),
        )
        await register(
          agentCard(generateKeyPair(), {
            name: 'b',
            capabilities: [
              capability({
                id: 'text.sentiment',
                tags: ['nlp', 'text'],
                pricing: { model: 'per_call', amount: '999999999999999999.5', currency: 'USD' },
              }),
              capability({
                id: 'text.summary',
                tags: ['text'],
                pricing: { model: 'per_call', amount: '0.01', currency: 'USD' },
              }),
            ],
          }),
        )
        await register(
          agentCard(generateKeyPair(), {
            name: 'c',
            capabilities: [
              capability({
                id: 'image.caption',
                tags: ['vision'],
                pricing: { model: 'per_call', amount: '0.005', currency: 'USD' },
              }),
            ],
          }),
        )
        const reputation = new ReputationService(
          {
            store: store.reputation,
            clock: { now: () => 2000 },
            audit: { record: () => Promise.resolve() },
            tasks: { get: () => Promise.resolve(undefined) },
          },
          defaultScoring,
        )
        const outcome = (
          i: number,
          agent: AgentCard,
          capabilityId: string,
          result: 'completed' | 'failed',
        ) =>
          reputation.recordOutcome({
            taskId: `t${i}`,
            agentId: agent.did,
            capabilityId,
            requester: 'did:key:requester',
            result,
            latencyMs: 10,
            paidMicros: 1n,
            currency: 'USD',
            atMs: 2000,
          })
        const [a, b] = cards as [AgentCard, AgentCard]
        await outcome(1, a, 'text.sentiment', 'completed')
        for (let i = 2; i < 5; i++) await outcome(i, b, 'text.sentiment', 'completed')
        for (let i = 5; i < 9; i++) await outcome(i, b, 'text.summary', 'failed')
      })
      afterAll(async () => {
        await store?.close()
        await cleanup()
      })

      const list = (query: Partial<ListingQuery> = {}) =>
        store.marketplace.list({ sort: 'popular', limit: 50, ...query })

      it('orders popular by completed calls, most first, failures not counting', async () => {
        const rows = await list()
        expect(ids(rows)).toEqual(['b/text.sentiment', 'a/text.sentiment', ...ids(rows).slice(2)])
        expect(rows.map((r) => r.completedCalls)).toEqual([3, 1, 0, 0])
        expect(rows[0]).toMatchObject({ tags: ['nlp', 'text'], currency: 'USD', featured: false })
      })

      it('orders by price, cheapest first, exactly up to the largest amounts', async () => {
        const rows = await list({ sort: 'price' })
        expect(ids(rows)).toEqual([
          'a/text.sentiment',
          'c/image.caption',
          'b/text.summary',
          'b/text.sentiment',
        ])
        expect(rows[3]!.priceMicros).toBe(999_999_999_999_999_999_500_000n)
      })

      it('keeps only the category and puts featured capabilities first', async () => {
        expect(ids(await list({ category: 'text' }))).toEqual([
          'b/text.sentiment',
          'b/text.summary',
        ])
        const c = cards[2]!
        await store.marketplace.setFeatured(
          { agentId: c.did, capabilityId: 'image.caption' },
          { by: 'did:key:admin', atMs: 1 },
        )
        await store.marketplace.setFeatured(
          { agentId: c.did, capabilityId: 'image.caption' },
          { by: 'did:key:admin', atMs: 2 },
        )
        const rows = await list({ sort: 'featured' })
        expect(ids(rows)).toEqual([
          'c/image.caption',
          'b/text.sentiment',
          'a/text.sentiment',
          'b/text.summary',
        ])
        expect(rows[0]!.featured).toBe(true)
        expect(ids(await list({ sort: 'popular' }))[0]).toBe('b/text.sentiment')
        await store.marketplace.setFeatured({ agentId: c.did, capabilityId: 'image.caption' }, null)
        expect((await list({ sort: 'featured' })).every((r) => !r.featured)).toBe(true)
      })

      it('pages by keyset in every order without overlap or gap', async () => {
        await store.marketplace.setFeatured(
          { agentId: cards[1]!.did, capabilityId: 'text.summary' },
          { by: 'did:key:admin', atMs: 3 },
        )
        for (const sort of ['popular', 'featured', 'price'] as const) {
          const all = await list({ sort })
          const paged: Listing[] = []
          let after: Listing | undefined
          for (;;) {
            const page = await list({ sort, limit: 1, ...(after ? { after } : {}) })
            if (page.length === 0) break
            paged.push(...page)
            after = page.at(-1)
          }
          expect(ids(paged)).toEqual(ids(all))
        }
      })
    },
  )
}

await onBothDatabases(marketplaceStoreContract)
