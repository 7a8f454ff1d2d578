import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { P2Quantile } from '../../../src/core/reputation/p2-quantile.js'
import {
  ALL_CAPABILITIES,
  type AggregateKey,
  type AggregateUpdate,
  type Presence,
  type ReputationAggregate,
} from '../../../src/core/reputation/reputation-store.js'
import type { Store } from '../../../src/core/ports.js'
import type { StoreFactory } from './store-contract.js'

let unique = 0
/** An agent id of its own for each case, so cases share one database without interfering. */
const agentId = () => `did:key:agent-${++unique}-${Math.random().toString(36).slice(2)}`

function aggregate(
  key: AggregateKey,
  patch: Partial<ReputationAggregate> = {},
): ReputationAggregate {
  const p50 = new P2Quantile(0.5)
  const p95 = new P2Quantile(0.95)
  for (const x of [120, 80, 95, 400, 101, 99, 3000]) {
    p50.add(x)
    p95.add(x)
  }
  return {
    ...key,
    calls: 3,
    successes: 2,
    failures: 1,
    timeouts: 0,
    canceled: 0,
    disputed: 0,
    ratings: 1,
    ratingStarsTotal: 4,
    decayedSuccesses: 1.75,
    decayedFailures: 0.123456789,
    decayedRatingWeight: 2.5,
    decayedRatingStars: 10.000001,
    decayedAtMs: 1_800_000_000_123,
    latency: { p50: p50.toJSON(), p95: p95.toJSON() },
    lastOutcomeAtMs: null,
    updatedAtMs: 1_800_000_000_456,
    ...patch,
  }
}

/** An update that counts one more call, starting from `aggregate` for a new row. */
const countCall: AggregateUpdate = (current, key) =>
  current ? { ...current, calls: current.calls + 1 } : aggregate(key, { calls: 1 })

/** The reputation sub-store's behaviour on every backend. */
export function reputationStoreContract(
  name: string,
  factory: Pick<StoreFactory, 'open' | 'cleanup'>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(
    `ReputationStore contract: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store

      beforeAll(async () => {
        store = await factory.open()
      })
      afterAll(async () => {
        await store?.close()
        await factory.cleanup()
      })

      it('creates the rows of an outcome from nothing and reads them back exactly', async () => {
        const agent = agentId()
        const keys = [
          { agentId: agent, capabilityId: ALL_CAPABILITIES },
          { agentId: agent, capabilityId: 'text.sentiment' },
        ]
        expect(await store.reputation.getAggregate(keys[0]!)).toBeUndefined()
        const seen: Array<ReputationAggregate | undefined> = []
        const counted = await store.reputation.recordOutcome(
          { taskId: 't1', agentId: agent, atMs: 1 },
          keys,
          (current, key) => {
            seen.push(current)
            return aggregate(key, { calls: 2 ** 40, lastOutcomeAtMs: 1_800_000_000_999 })
          },
        )
        expect(counted).toBe(true)
        expect(seen).toEqual([undefined, undefined])
        for (const key of keys) {
          expect(await store.reputation.getAggregate(key)).toEqual(
            aggregate(key, { calls: 2 ** 40, lastOutcomeAtMs: 1_800_000_000_999 }),
          )
        }
      })

      it('counts an outcome once per task and agent', async () => {
        const agent = agentId()
        const other = agentId()
        const keys = [{ agentId: agent, capabilityId: ALL_CAPABILITIES }]
        const claim = { taskId: 'task-once', agentId: agent, atMs: 5 }
        expect(await store.reputation.recordOutcome(claim, keys, countCall)).toBe(true)
        let called = false
        const again = await store.reputation.recordOutcome(claim, keys, (c, k) => {
          called = true
          return countCall(c, k)
        })
        expect(again).toBe(false)
        expect(called).toBe(false)
        // The same task failed over to another agent is that agent's outcome.
        const otherKeys = [{ agentId: other, capabilityId: ALL_CAPABILITIES }]
        expect(
          await store.reputation.recordOutcome({ ...claim, agentId: other }, otherKeys, countCall),
        ).toBe(true)
        expect((await store.reputation.getAggregate(keys[0]!))?.calls).toBe(1)
      })

      it('loses no update when outcomes for one agent arrive concurrently', async () => {
        const agent = agentId()
        const keys = [
          { agentId: agent, capabilityId: 'b.cap' },
          { agentId: agent, capabilityId: ALL_CAPABILITIES },
        ]
        await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            store.reputation.recordOutcome(
              { taskId: `c${i}`, agentId: agent, atMs: i },
              keys,
              countCall,
            ),
          ),
        )
        for (const key of keys) expect((await store.reputation.getAggregate(key))?.calls).toBe(24)
      })

      it('lists the aggregates of many agents for one capability id', async () => {
        const agents = [agentId(), agentId(), agentId()]
        for (const [i, agent] of agents.entries()) {
          await store.reputation.recordOutcome(
            { taskId: `l${i}`, agentId: agent, atMs: i },
            [
              { agentId: agent, capabilityId: ALL_CAPABILITIES },
              { agentId: agent, capabilityId: 'x.cap' },
            ],
            countCall,
          )
        }
        const listed = await store.reputation.listAggregates(
          [...agents, 'did:key:unknown'],
          ALL_CAPABILITIES,
        )
        expect(listed.map((a) => a.agentId).sort()).toEqual([...agents].sort())
        expect(listed.every((a) => a.capabilityId === ALL_CAPABILITIES)).toBe(true)
        expect(await store.reputation.listAggregates([agents[0]!], 'x.cap')).toHaveLength(1)
      })

      it('keeps one rating per task, with amounts beyond 64 bits', async () => {
        const agent = agentId()
        const keys = [{ agentId: agent, capabilityId: ALL_CAPABILITIES }]
        const rating = {
          taskId: `rated-${agent}`,
          rater: 'did:key:requester',
          agentId: agent,
          capabilityId: 'text.sentiment',
          stars: 4,
          paidMicros: 999_999_999_999_999_999_999_999n,
          currency: 'USD',
          weight: 3.25,
          atMs: 1_800_000_000_000,
        }
        expect(await store.reputation.getRating(rating.taskId)).toBeUndefined()
        expect(await store.reputation.recordRating(rating, keys, countCall)).toBe(true)
        expect(await store.reputation.getRating(rating.taskId)).toEqual(rating)
        expect(await store.reputation.recordRating({ ...rating, stars: 1 }, keys, countCall)).toBe(
          false,
        )
        expect((await store.reputation.getRating(rating.taskId))?.stars).toBe(4)
        expect((await store.reputation.getAggregate(keys[0]!))?.calls).toBe(1)
      })

      it('stores presence and rewrites it atomically', async () => {
        const agent = agentId()
        expect(await store.reputation.getPresence(agent)).toBeUndefined()
        const first: Presence = {
          agentId: agent,
          firstSeenAtMs: 1_000,
          onlineSinceMs: 1_000,
          onlineMs: 0,
          lastChangeAtMs: 1_000,
        }
        expect(await store.reputation.updatePresence(agent, () => first)).toEqual(first)
        const second = await store.reputation.updatePresence(agent, (current) => ({
          ...current!,
          onlineSinceMs: null,
          onlineMs: current!.onlineMs + 500,
          lastChangeAtMs: 1_500,
        }))
        expect(await store.reputation.getPresence(agent)).toEqual(second)
        expect(second).toMatchObject({ onlineSinceMs: null, onlineMs: 500 })
      })
    },
  )
}
