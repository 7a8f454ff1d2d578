import { generateKeyPair, signFact, type FactAssertion } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { factId } from '../../../src/core/knowledge/fact-ranking.js'
import type { Store } from '../../../src/core/store.js'
import { onBothDatabases } from '../../helpers/store-backends.js'

const entry = (assertion: FactAssertion) => ({ id: factId(assertion), assertion })

/** The knowledge store (migration 0022) on one implementation. */
function knowledgeStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(
    `Knowledge store: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store
      const key = generateKeyPair()
      const other = generateKeyPair()
      beforeAll(async () => {
        store = await open()
      })
      afterAll(async () => {
        await store.close()
        await cleanup()
      })

      it('keeps one fact per agent and triple, replacing it and keeping its usage', async () => {
        const first = signFact({ subject: 's1', relation: 'r', object: 'o', confidence: 0.4 }, key)
        const theirs = signFact(
          { subject: 's1', relation: 'r', object: 'o', confidence: 0.9 },
          other,
        )
        expect(await store.knowledge.put([entry(first), entry(theirs)], 10, 100)).toEqual([
          true,
          true,
        ])
        await store.knowledge.countReads([factId(first), factId(first)])
        const again = signFact({ ...first, confidence: 0.7 }, key, 'task_x')
        expect(await store.knowledge.put([entry(again), entry(again)], 20, 100)).toEqual([
          false,
          false,
        ])
        const found = await store.knowledge.find({ subject: 's1' }, 10)
        expect(found.map((f) => [f.assertion.agent, f.assertion.confidence])).toEqual([
          [other.did, 0.9],
          [key.did, 0.7],
        ])
        expect(found[1]).toMatchObject({
          id: factId(first),
          assertedAtMs: 20,
          assertion: { taskId: 'task_x', signature: again.signature },
          usage: { reads: 1, tasks: 0 },
        })
      })

      it('refuses, writing nothing, a batch that takes an agent past its limit', async () => {
        const agent = generateKeyPair()
        const facts = ['a', 'b', 'c'].map((o) =>
          entry(signFact({ subject: 'lim', relation: 'r', object: o, confidence: 1 }, agent)),
        )
        expect(await store.knowledge.put(facts.slice(0, 2), 1, 2)).toEqual([true, true])
        expect(await store.knowledge.put(facts, 2, 2)).toBeUndefined()
        expect(await store.knowledge.find({ subject: 'lim' }, 10)).toHaveLength(2)
        // Held facts asserted again do not count twice.
        expect(await store.knowledge.put(facts.slice(0, 2), 3, 2)).toEqual([false, false])
      })

      it('filters by relation and object, and reads edges from many subjects', async () => {
        const facts = [
          ['x', 'knows', 'y', 0.5],
          ['x', 'likes', 'z', 0.6],
          ['y', 'knows', 'z', 0.7],
        ].map(([subject, relation, object, confidence]) =>
          entry(
            signFact(
              {
                subject: subject as string,
                relation: relation as string,
                object: object as string,
                confidence: confidence as number,
              },
              key,
            ),
          ),
        )
        await store.knowledge.put(facts, 5, 100)
        const objects = (records: { assertion: FactAssertion }[]) =>
          records.map((r) => r.assertion.object)
        expect(objects(await store.knowledge.find({ relation: 'knows', subject: 'x' }, 5))).toEqual(
          ['y'],
        )
        expect(objects(await store.knowledge.find({ object: 'z' }, 5))).toEqual(['z', 'z'])
        expect(objects(await store.knowledge.fromSubjects(['x', 'y'], 2))).toEqual(['z', 'z'])
        expect(await store.knowledge.fromSubjects([], 2)).toEqual([])
      })

      it('counts each use of a task once, settles it once and rates it once', async () => {
        const facts = ['u1', 'u2'].map((s) =>
          entry(signFact({ subject: s, relation: 'r', object: 'o', confidence: 1 }, key)),
        )
        await store.knowledge.put(facts, 1, 100)
        const ids = facts.map((f) => f.id)
        await store.knowledge.recordUses('task_a', ids, 2)
        await store.knowledge.recordUses('task_a', [ids[0]!], 3)
        await store.knowledge.recordUses('task_b', [ids[0]!], 3)
        expect(await store.knowledge.settleUses('task_a', 'completed')).toBe(2)
        expect(await store.knowledge.settleUses('task_a', 'failed')).toBe(0)
        expect(await store.knowledge.settleUses('task_b', 'failed')).toBe(1)
        expect(await store.knowledge.rateUses('task_a', 4)).toBe(2)
        expect(await store.knowledge.rateUses('task_a', 1)).toBe(0)
        const [u1] = await store.knowledge.find({ subject: 'u1' }, 1)
        expect(u1!.usage).toEqual({
          reads: 0,
          tasks: 2,
          completed: 1,
          failed: 1,
          ratingCount: 1,
          ratingSum: 4,
        })
        await store.knowledge.recordUses('task_c', [ids[1]!], 4)
        expect(await store.knowledge.settleUses('task_c', 'canceled')).toBe(0)
        const [u2] = await store.knowledge.find({ subject: 'u2' }, 1)
        expect(u2!.usage).toMatchObject({ tasks: 2, completed: 1, failed: 0 })
      })
    },
  )
}

await onBothDatabases(knowledgeStoreContract)
