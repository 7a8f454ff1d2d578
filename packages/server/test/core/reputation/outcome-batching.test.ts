import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { openStore } from '../../../src/adapters/store/open-store.js'
import type { Store } from '../../../src/core/store.js'
import type { TaskOutcome } from '../../../src/core/ports/outcome-sink.js'
import { ReputationService } from '../../../src/core/reputation/reputation-service.js'
import type { ReputationStore } from '../../../src/core/reputation/reputation-store.js'
import { defaultScoring } from '../../../src/core/reputation/score.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

const NOW_MS = 1_800_000_000_000
const CAPABILITY = 'text.sentiment'

let unique = 0
/** An agent id of its own for each case, so cases share one database without interfering. */
const agentId = () => `did:key:batch-${++unique}-${Math.random().toString(36).slice(2)}`

const outcome = (agent: string, taskId: string, patch: Partial<TaskOutcome> = {}): TaskOutcome => ({
  taskId,
  agentId: agent,
  capabilityId: CAPABILITY,
  requester: 'did:key:requester',
  result: 'completed',
  latencyMs: 100,
  paidMicros: 1_000n,
  currency: 'USD',
  atMs: NOW_MS,
  ...patch,
})

function serviceOn(store: ReputationStore): ReputationService {
  return new ReputationService(
    {
      store,
      clock: { now: () => NOW_MS },
      audit: { record: () => Promise.resolve() },
      tasks: { get: () => Promise.resolve(undefined) },
    },
    defaultScoring,
  )
}

/** The task ids of each batch the service handed to the store, by wrapping `recordOutcomes`. */
function watchBatches(store: ReputationStore): string[][] {
  const batches: string[][] = []
  const recordOutcomes = store.recordOutcomes.bind(store)
  vi.spyOn(store, 'recordOutcomes').mockImplementation((claims, update) => {
    batches.push(claims.map((claim) => claim.taskId))
    return recordOutcomes(claims, update)
  })
  return batches
}

const postgresSkip = await postgresSkipReason()
const schema = freshSchema()

const backends = [
  {
    name: 'SQLite',
    open: () => openStore({ kind: 'sqlite', filename: ':memory:' }),
    cleanup: () => Promise.resolve(),
    skipReason: undefined,
  },
  {
    name: 'PostgreSQL',
    open: () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
    cleanup: () => dropPostgresSchema(postgresUrl, schema),
    skipReason: postgresSkip,
  },
]

afterEach(() => {
  vi.restoreAllMocks()
})

for (const backend of backends) {
  const { name, skipReason } = backend
  describe.skipIf(skipReason !== undefined)(
    `ReputationService outcome batching: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store

      beforeAll(async () => {
        store = await backend.open()
      })
      afterAll(async () => {
        await store?.close()
        await backend.cleanup()
      })

      it('counts 50 concurrent outcomes exactly, in fewer than 50 transactions', async () => {
        const batches = watchBatches(store.reputation)
        const reputation = serviceOn(store.reputation)
        const agent = agentId()
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            reputation.recordOutcome(
              outcome(agent, `c${i}`, { result: i % 5 === 0 ? 'failed' : 'completed' }),
            ),
          ),
        )
        expect(batches.length).toBeLessThan(50)
        expect(batches.flat().sort()).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`).sort())
        for (const capabilityId of [undefined, CAPABILITY]) {
          expect((await reputation.get(agent, capabilityId)).stats).toMatchObject({
            calls: 50,
            successes: 40,
            failures: 10,
          })
        }
      })

      it('ranks with summaries this node refreshes on its own writes and another node’s within a second', async () => {
        let now = NOW_MS
        const clock = { now: () => now }
        const deps = {
          store: store.reputation,
          clock,
          audit: { record: () => Promise.resolve() },
          tasks: { get: () => Promise.resolve(undefined) },
        }
        const here = new ReputationService(deps, defaultScoring)
        const elsewhere = new ReputationService(deps, defaultScoring)
        const agent = agentId()
        expect((await here.summaries([agent])).get(agent)?.calls).toBe(0)
        await here.recordOutcome(outcome(agent, 's1'))
        expect((await here.summaries([agent])).get(agent)?.calls).toBe(1)
        await elsewhere.recordOutcome(outcome(agent, 's2'))
        expect((await here.summaries([agent])).get(agent)?.calls).toBe(1)
        now += 1000
        expect((await here.summaries([agent])).get(agent)?.calls).toBe(2)
      })

      it('counts an outcome redelivered within one batch once', async () => {
        const batches = watchBatches(store.reputation)
        const reputation = serviceOn(store.reputation)
        const agent = agentId()
        const first = reputation.recordOutcome(outcome(agent, 'first'))
        // These arrive while the first is being written, so they go together in the next batch.
        const redelivered = outcome(agent, 'again', { result: 'failed' })
        const rest = [
          reputation.recordOutcome(redelivered),
          reputation.recordOutcome(outcome(agent, 'other')),
          reputation.recordOutcome({ ...redelivered }),
        ]
        await Promise.all([first, ...rest])
        expect(batches).toEqual([['first'], ['again', 'other', 'again']])
        expect((await reputation.get(agent, CAPABILITY)).stats).toMatchObject({
          calls: 3,
          successes: 2,
          failures: 1,
        })
      })

      it('folds a batch exactly as recording its outcomes one at a time does', async () => {
        const reputation = serviceOn(store.reputation)
        const [batched, sequential] = [agentId(), agentId()]
        const results = ['completed', 'failed', 'timed_out', 'canceled', 'disputed'] as const
        const make = (agent: string) =>
          Array.from({ length: 40 }, (_, i) =>
            outcome(agent, `f${i}`, {
              result: results[i % results.length]!,
              latencyMs: (i * 37) % 101,
              // Some arrive late, older than what was already counted.
              atMs: NOW_MS - ((i * 7919) % 13) * 3_600_000,
            }),
          )
        await Promise.all(make(batched).map((o) => reputation.recordOutcome(o)))
        for (const o of make(sequential)) await reputation.recordOutcome(o)
        for (const capabilityId of [undefined, CAPABILITY]) {
          const a = await reputation.get(batched, capabilityId)
          const b = await reputation.get(sequential, capabilityId)
          expect({ ...a, agentId: sequential }).toEqual(b)
        }
      })

      it('rejects every caller of a failed batch and keeps counting afterwards', async () => {
        const reputation = serviceOn(store.reputation)
        const agent = agentId()
        const first = reputation.recordOutcome(outcome(agent, 'ok-1'))
        vi.spyOn(store.reputation, 'recordOutcomes').mockRejectedValueOnce(
          new Error('database down'),
        )
        const failing = [
          reputation.recordOutcome(outcome(agent, 'lost-1')),
          reputation.recordOutcome(outcome(agent, 'lost-2')),
        ]
        await first
        const settled = await Promise.allSettled(failing)
        expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected'])
        await reputation.recordOutcome(outcome(agent, 'lost-1'))
        expect((await reputation.get(agent)).stats.calls).toBe(2)
      })
    },
  )
}

describe.skipIf(postgresSkip !== undefined)(
  `ReputationService outcome batching across nodes: PostgreSQL${postgresSkip ? ` (skipped: ${postgresSkip})` : ''}`,
  () => {
    const nodesSchema = freshSchema()
    let stores: Store[] = []

    beforeAll(async () => {
      // Two nodes: each its own pool of connections to one database.
      for (let i = 0; i < 2; i++) {
        stores.push(await openStore({ kind: 'postgres', url: postgresUrl, schema: nodesSchema }))
      }
    })
    afterAll(async () => {
      for (const store of stores) await store.close()
      stores = []
      await dropPostgresSchema(postgresUrl, nodesSchema)
    })

    it('loses no update when two nodes record outcomes for the same agent concurrently', async () => {
      const nodes = stores.map((store) => serviceOn(store.reputation))
      const agent = agentId()
      const rounds = 20
      const perRound = 10
      const expected = new Map<string, TaskOutcome>()
      await Promise.all(
        nodes.map(async (node, n) => {
          for (let round = 0; round < rounds; round++) {
            const batch = Array.from({ length: perRound }, (_, i) =>
              // One task a round is reported by both nodes (a redelivery): it counts once.
              outcome(agent, i === 0 ? `shared-${round}` : `n${n}-${round}-${i}`, {
                result: i % 3 === 0 ? 'failed' : 'completed',
              }),
            )
            for (const o of batch) expected.set(o.taskId, o)
            await Promise.all(batch.map((o) => node.recordOutcome(o)))
          }
        }),
      )
      const failures = [...expected.values()].filter((o) => o.result === 'failed').length
      for (const capabilityId of [undefined, CAPABILITY]) {
        expect((await nodes[0]!.get(agent, capabilityId)).stats).toMatchObject({
          calls: expected.size,
          successes: expected.size - failures,
          failures,
        })
      }
      expect(expected.size).toBe(2 * rounds * (perRound - 1) + rounds)
    })
  },
)
