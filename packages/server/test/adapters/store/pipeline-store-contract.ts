import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PipelineRun, RunState } from '../../../src/core/pipelines/pipeline-store.js'
import type { Store } from '../../../src/core/store.js'
import type { StoreFactory } from './store-contract.js'

let unique = 0
/** A requester of its own for each case, so cases share one database without interfering. */
const requester = () => `did:key:requester-${++unique}-${Math.random().toString(36).slice(2)}`

/** A run created at `atMs`; its id sorts by that time, as `newId` makes them. */
function run(owner: string, atMs: number, state: RunState = 'running'): PipelineRun {
  const time = atMs.toString(36).padStart(9, '0')
  const bits = Math.random().toString(36).slice(2, 12).padEnd(16, '0')
  return {
    id: `run_${time}_${bits}`,
    requester: owner,
    definition: {
      name: 'contract',
      budget: { amount: '1', currency: 'USD' },
      steps: [{ id: 'a', capability: 'text.echo' }],
    },
    input: { text: 'hi' },
    state,
    steps: {
      a: {
        state: 'pending',
        taskId: null,
        output: null,
        error: null,
        startedAtMs: null,
        endedAtMs: null,
      },
    },
    spentMicros: 12_345_678_901_234_567n,
    currency: 'USD',
    createdAtMs: atMs,
    updatedAtMs: atMs,
  }
}

const ids = (runs: PipelineRun[]) => runs.map((r) => r.id)

/** The pipeline-run sub-store's behaviour on every backend. */
export function pipelineStoreContract(
  name: string,
  factory: Pick<StoreFactory, 'open' | 'cleanup'>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(
    `PipelineStore contract: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store

      beforeAll(async () => {
        store = await factory.open()
      })
      afterAll(async () => {
        await store?.close()
        await factory.cleanup()
      })

      it("lists one requester's runs newest first, whatever order they were stored in", async () => {
        const alice = requester()
        const bob = requester()
        const base = 1_800_000_000_000
        const runs = [3, 1, 4, 0, 2].map((i) => run(alice, base + i * 1000))
        for (const r of runs) await store.pipelines.insert(r)
        await store.pipelines.insert(run(bob, base + 2500))
        const newestFirst = ids([...runs].sort((a, b) => b.createdAtMs - a.createdAtMs))
        expect(ids(await store.pipelines.list({ requester: alice, limit: 100 }))).toEqual(
          newestFirst,
        )
        expect(await store.pipelines.list({ requester: bob, limit: 100 })).toHaveLength(1)
      })

      it('pages by cursor, covering every run exactly once', async () => {
        const alice = requester()
        const base = 1_800_000_100_000
        const runs = Array.from({ length: 7 }, (_, i) => run(alice, base + i))
        for (const r of runs) await store.pipelines.insert(r)
        const seen: string[] = []
        let cursor: string | undefined
        for (let pages = 0; pages < 10; pages++) {
          const page = await store.pipelines.list({
            requester: alice,
            limit: 3,
            ...(cursor ? { cursor } : {}),
          })
          seen.push(...ids(page))
          if (page.length < 3) break
          cursor = page.at(-1)!.id
        }
        expect(seen).toEqual(ids(runs).reverse())
      })

      it('filters by state, seeing states saved after the insert', async () => {
        const alice = requester()
        const base = 1_800_000_200_000
        const [a, b, c] = [run(alice, base), run(alice, base + 1), run(alice, base + 2)]
        for (const r of [a, b, c]) await store.pipelines.insert(r)
        await store.pipelines.save({ ...b, state: 'completed', updatedAtMs: base + 10 })
        await store.pipelines.save({ ...c, state: 'failed', updatedAtMs: base + 11 })
        const inState = async (state: RunState) =>
          ids(await store.pipelines.list({ requester: alice, state, limit: 10 }))
        expect(await inState('running')).toEqual([a.id])
        expect(await inState('completed')).toEqual([b.id])
        expect(await inState('failed')).toEqual([c.id])
      })

      it("lists everyone's runs when no requester is given, and reads each back exactly", async () => {
        const alice = requester()
        const bob = requester()
        // Far in the future, so these two are the newest in the shared database.
        const base = 2_500_000_000_000
        const mine = run(alice, base)
        const theirs = run(bob, base + 1)
        await store.pipelines.insert(mine)
        await store.pipelines.insert(theirs)
        expect(await store.pipelines.list({ limit: 2 })).toEqual([theirs, mine])
      })

      it('answers an empty page after the oldest run', async () => {
        const alice = requester()
        const only = run(alice, 1_800_000_300_000)
        await store.pipelines.insert(only)
        expect(await store.pipelines.list({ requester: alice, cursor: only.id, limit: 5 })).toEqual(
          [],
        )
      })
    },
  )
}
