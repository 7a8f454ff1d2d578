import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { P2Quantile } from '../../../src/core/reputation/p2-quantile.js'
import {
  ALL_CAPABILITIES,
  type AggregateKey,
  type AggregateUpdate,
  type OutcomeClaim,
  type Presence,
  type ReputationAggregate,
} from '../../../src/core/reputation/reputation-store.js'
import type { Store } from '../../../src/core/store.js'
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
        const counted = await store.reputation.recordOutcomes(
          [{ taskId: 't1', agentId: agent, atMs: 1, keys }],
          (current, key) => {
            seen.push(current)
            return aggregate(key, { calls: 2 ** 40, lastOutcomeAtMs: 1_800_000_000_999 })
          },
        )
        expect(counted).toEqual([true])
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
        const claim = { taskId: 'task-once', agentId: agent, atMs: 5, keys }
        expect(await store.reputation.recordOutcomes([claim], countCall)).toEqual([true])
        let called = false
        const again = await store.reputation.recordOutcomes([claim], (c, k) => {
          called = true
          return countCall(c, k)
        })
        expect(again).toEqual([false])
        expect(called).toBe(false)
        // The same task failed over to another agent is that agent's outcome.
        const otherKeys = [{ agentId: other, capabilityId: ALL_CAPABILITIES }]
        expect(
          await store.reputation.recordOutcomes(
            [{ ...claim, agentId: other, keys: otherKeys }],
            countCall,
          ),
        ).toEqual([true])
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
            store.reputation.recordOutcomes(
              [{ taskId: `c${i}`, agentId: agent, atMs: i, keys }],
              countCall,
            ),
          ),
        )
        for (const key of keys) expect((await store.reputation.getAggregate(key))?.calls).toBe(24)
      })

      it('counts a redelivered outcome once, within a batch and across batches', async () => {
        const agent = agentId()
        const keys = [{ agentId: agent, capabilityId: ALL_CAPABILITIES }]
        const claim = (taskId: string): OutcomeClaim => ({ taskId, agentId: agent, atMs: 1, keys })
        expect(await store.reputation.recordOutcomes([claim('r0')], countCall)).toEqual([true])
        const folded: number[] = []
        const claimed = await store.reputation.recordOutcomes(
          [claim('r1'), claim('r0'), claim('r2'), claim('r1'), claim('r3')],
          (current, key, claimIndex) => {
            folded.push(claimIndex)
            return countCall(current, key)
          },
        )
        expect(claimed).toEqual([true, false, true, false, true])
        expect(folded).toEqual([0, 2, 4])
        expect((await store.reputation.getAggregate(keys[0]!))?.calls).toBe(4)
      })

      it('folds a batch into each row once, in batch order, from the stored value', async () => {
        const [a, b] = [agentId(), agentId()]
        const keyA = { agentId: a, capabilityId: ALL_CAPABILITIES }
        const keyACap = { agentId: a, capabilityId: 'y.cap' }
        const keyB = { agentId: b, capabilityId: ALL_CAPABILITIES }
        await store.reputation.recordOutcomes(
          [{ taskId: 'f0', agentId: a, atMs: 0, keys: [keyA] }],
          countCall,
        )
        const claims: OutcomeClaim[] = [
          { taskId: 'f1', agentId: b, atMs: 1, keys: [keyB] },
          { taskId: 'f2', agentId: a, atMs: 2, keys: [keyACap, keyA] },
          { taskId: 'f3', agentId: b, atMs: 3, keys: [keyB] },
          { taskId: 'f4', agentId: a, atMs: 4, keys: [keyA, keyACap] },
        ]
        const steps: Array<{
          key: AggregateKey
          claimIndex: number
          current: ReputationAggregate | undefined
          next: ReputationAggregate
        }> = []
        const claimed = await store.reputation.recordOutcomes(
          claims,
          (current, key, claimIndex) => {
            const next = current
              ? { ...current, calls: current.calls + 1, lastOutcomeAtMs: claims[claimIndex]!.atMs }
              : aggregate(key, { calls: 1, lastOutcomeAtMs: claims[claimIndex]!.atMs })
            steps.push({ key, claimIndex, current, next })
            return next
          },
        )
        expect(claimed).toEqual([true, true, true, true])
        const stepsOf = (key: AggregateKey) =>
          steps.filter(
            (s) => s.key.agentId === key.agentId && s.key.capabilityId === key.capabilityId,
          )
        for (const [key, order, calls] of [
          [keyA, [1, 3], 3],
          [keyACap, [1, 3], 2],
          [keyB, [0, 2], 2],
        ] as const) {
          const folds = stepsOf(key)
          expect(folds.map((s) => s.claimIndex)).toEqual(order)
          // The second outcome is folded into what the first made, not into a fresh read.
          expect(folds[1]!.current).toBe(folds[0]!.next)
          expect(await store.reputation.getAggregate(key)).toMatchObject({
            calls,
            lastOutcomeAtMs: claims[order[1]]!.atMs,
          })
        }
        expect(stepsOf(keyA)[0]!.current?.calls).toBe(1)
        expect(stepsOf(keyB)[0]!.current).toBeUndefined()
      })

      it('claims a batch larger than one insert statement carries', async () => {
        const agent = agentId()
        const keys = [{ agentId: agent, capabilityId: ALL_CAPABILITIES }]
        const claims = Array.from({ length: 1200 }, (_, i): OutcomeClaim => ({
          taskId: `big${i}`,
          agentId: agent,
          atMs: i,
          keys,
        }))
        await store.reputation.recordOutcomes(claims.slice(600, 700), countCall)
        const claimed = await store.reputation.recordOutcomes(claims, countCall)
        expect(claimed.filter(Boolean)).toHaveLength(1100)
        expect(claimed.slice(598, 702)).toEqual([
          true,
          true,
          ...Array<boolean>(100).fill(false),
          true,
          true,
        ])
        expect((await store.reputation.getAggregate(keys[0]!))?.calls).toBe(1200)
      })

      it('never deadlocks when concurrent batches touch the same rows in opposite orders', async () => {
        const agents = [agentId(), agentId(), agentId()]
        const keysOf = (agent: string) => [
          { agentId: agent, capabilityId: ALL_CAPABILITIES },
          { agentId: agent, capabilityId: 'z.cap' },
        ]
        await Promise.all(
          Array.from({ length: 12 }, (_, i) => {
            const order = i % 2 === 0 ? agents : [...agents].reverse()
            return store.reputation.recordOutcomes(
              order.map((agent) => ({
                taskId: `d${i}`,
                agentId: agent,
                atMs: i,
                keys: i % 3 === 0 ? keysOf(agent).reverse() : keysOf(agent),
              })),
              countCall,
            )
          }),
        )
        for (const agent of agents) {
          for (const key of keysOf(agent)) {
            expect((await store.reputation.getAggregate(key))?.calls).toBe(12)
          }
        }
      })

      it('lists the aggregates of many agents for one capability id', async () => {
        const agents = [agentId(), agentId(), agentId()]
        for (const [i, agent] of agents.entries()) {
          await store.reputation.recordOutcomes(
            [
              {
                taskId: `l${i}`,
                agentId: agent,
                atMs: i,
                keys: [
                  { agentId: agent, capabilityId: ALL_CAPABILITIES },
                  { agentId: agent, capabilityId: 'x.cap' },
                ],
              },
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
