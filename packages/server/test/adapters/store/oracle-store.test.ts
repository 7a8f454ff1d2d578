import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OracleReputation } from '../../../src/core/oracles/oracle-reputation.js'
import type { Store } from '../../../src/core/store.js'
import { onBothDatabases } from '../../helpers/store-backends.js'

/** The oracle reputation store (migration 0023) on one implementation. */
function oracleStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(
    `Oracle reputation store: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store
      beforeAll(async () => {
        store = await open()
      })
      afterAll(async () => {
        await store.close()
        await cleanup()
      })

      it('counts each answer once per task, per capability and for the whole agent', async () => {
        const answers = [
          { agentId: 'did:key:good', withinTolerance: true, deviation: 0.001 },
          { agentId: 'did:key:liar', withinTolerance: false, deviation: 1 },
        ]
        await store.oracles.record('task_1', 'price.quote', answers, 10)
        await store.oracles.record('task_1', 'price.quote', answers, 11)
        await store.oracles.record('task_2', 'price.quote', answers.slice(0, 1), 12)
        await store.oracles.record('task_3', 'fx.rate', answers.slice(1), 13)
        const rows = await store.oracles.list(['did:key:good', 'did:key:liar', 'x'], 'price.quote')
        expect(rows.sort((a, b) => a.agentId.localeCompare(b.agentId))).toEqual([
          {
            agentId: 'did:key:good',
            capabilityId: 'price.quote',
            answers: 2,
            withinTolerance: 2,
            deviationTotal: 0.002,
            updatedAtMs: 12,
          },
          {
            agentId: 'did:key:liar',
            capabilityId: 'price.quote',
            answers: 1,
            withinTolerance: 0,
            deviationTotal: 1,
            updatedAtMs: 10,
          },
        ])
        const [whole] = await store.oracles.list(['did:key:liar'], '')
        expect(whole).toMatchObject({ answers: 2, withinTolerance: 0, deviationTotal: 2 })
      })

      it('adds up concurrent tasks without losing a count', async () => {
        const one = (i: number) =>
          store.oracles.record(
            `task_c${i}`,
            'price.quote',
            [{ agentId: 'did:key:busy', withinTolerance: i % 2 === 0, deviation: 0.5 }],
            i,
          )
        await Promise.all(Array.from({ length: 20 }, (_, i) => one(i)))
        const [row] = await store.oracles.list(['did:key:busy'], 'price.quote')
        expect(row).toMatchObject({ answers: 20, withinTolerance: 10, deviationTotal: 10 })
      })

      it('weighs sources by their record, through the service', async () => {
        const audited: string[] = []
        const oracles = new OracleReputation({
          store: store.oracles,
          clock: { now: () => 100 },
          audit: { record: (e) => Promise.resolve(void audited.push(e.action)) },
          nodeDid: 'did:key:node',
        })
        await oracles.record('task_s', 'text.label', [
          { agentId: 'did:key:s1', deviation: 0, withinTolerance: true },
          { agentId: 'did:key:s2', deviation: null, withinTolerance: false },
        ])
        const weights = await oracles.weights(
          ['did:key:s1', 'did:key:s2', 'did:key:s3'],
          'text.label',
        )
        expect([...weights]).toEqual([
          ['did:key:s1', 2 / 3],
          ['did:key:s2', 1 / 3],
          ['did:key:s3', 0.5],
        ])
        expect(await oracles.standing('did:key:s2')).toEqual({
          answers: 1,
          withinTolerance: 0,
          meanDeviation: 1,
          weight: 1 / 3,
        })
        expect(await oracles.standing('did:key:s3', 'text.label')).toEqual({
          answers: 0,
          withinTolerance: 0,
          meanDeviation: null,
          weight: 0.5,
        })
        expect(audited).toEqual(['oracle.recorded'])
      })
    },
  )
}

await onBothDatabases(oracleStoreContract)
