import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/adapters/store/open-store.js'
import type { FlJob, FlRound } from '../../../src/core/fl/fl-types.js'
import type { Store } from '../../../src/core/store.js'
import {
  dropPostgresSchema,
  freshSchema,
  postgresSkipReason,
  postgresUrl,
} from '../../helpers/postgres.js'

function job(id: string, owner: string, state: FlJob['state'] = 'running'): FlJob {
  return {
    id,
    owner,
    ownerRoles: ['client'],
    spec: {} as FlJob['spec'],
    settings: { priceMicros: 100_000n, budgetMicros: 2n ** 62n } as FlJob['settings'],
    state,
    validators: ['did:v'],
    f: 0,
    currentModel: { hash: 'aa', round: 0 },
    escrowedMicros: 1_500_000n,
    paidMicros: 0n,
    participants: [],
    noisyRounds: 0,
    runner: 'did:node',
    createdAtMs: 1,
    updatedAtMs: 1,
    error: null,
  }
}

function round(jobId: string, n: number, state: FlRound['state']): FlRound {
  return {
    job: jobId,
    round: n,
    state,
    startedAtMs: n,
    endedAtMs: null,
    contributions: [
      {
        trainer: 'did:t',
        state: 'accepted',
        taskId: null,
        examples: 3,
        loss: 0.5,
        paidMicros: 7n,
        error: null,
      },
    ],
    trainLoss: 0.5,
    accuracy: null,
    loss: null,
    reports: [],
    modelHash: null,
    certificate: null,
    refusedSignatures: [],
    privacy: null,
    error: null,
  }
}

/** The federated-learning store (migration 0020) on one implementation. */
function flStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(
    `Federated-learning store: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store
      beforeAll(async () => {
        store = await open()
      })
      afterAll(async () => {
        await store.close()
        await cleanup()
      })

      it('keeps jobs with exact amounts and lists them newest first, by owner and state', async () => {
        await store.fl.insertJob(job('fljob_1', 'did:a'))
        await store.fl.insertJob(job('fljob_2', 'did:b'))
        await store.fl.insertJob(job('fljob_3', 'did:a', 'completed'))
        const saved = { ...job('fljob_1', 'did:a'), state: 'failed' as const, paidMicros: 300_000n }
        await store.fl.saveJob(saved)
        expect(await store.fl.getJob('fljob_1')).toEqual(saved)
        expect((await store.fl.getJob('fljob_2'))?.settings.budgetMicros).toBe(2n ** 62n)
        expect(await store.fl.getJob('fljob_9')).toBeUndefined()
        const ids = (jobs: FlJob[]) => jobs.map((j) => j.id)
        expect(ids(await store.fl.listJobs({ owner: 'did:a', limit: 10 }))).toEqual([
          'fljob_3',
          'fljob_1',
        ])
        expect(ids(await store.fl.listJobs({ state: 'running', limit: 10 }))).toEqual(['fljob_2'])
        expect(ids(await store.fl.listJobs({ limit: 2 }))).toEqual(['fljob_3', 'fljob_2'])
      })

      it('replaces a round as it moves and answers a job’s rounds in order', async () => {
        await store.fl.saveRound(round('fljob_1', 2, 'training'))
        await store.fl.saveRound(round('fljob_1', 1, 'training'))
        await store.fl.saveRound(round('fljob_1', 1, 'approved'))
        await store.fl.saveRound(round('fljob_2', 1, 'rejected'))
        const rounds = await store.fl.rounds('fljob_1')
        expect(rounds.map((r) => [r.round, r.state])).toEqual([
          [1, 'approved'],
          [2, 'training'],
        ])
        expect(rounds[0]!.contributions[0]!.paidMicros).toBe(7n)
      })

      it('stores a model once per hash', async () => {
        await store.fl.putModel({ hash: 'h1', params: 'AAAA', size: 1 }, 1)
        await store.fl.putModel({ hash: 'h1', params: 'BBBB', size: 1 }, 2)
        expect(await store.fl.getModel('h1')).toEqual({ hash: 'h1', params: 'AAAA', size: 1 })
        expect(await store.fl.getModel('h2')).toBeUndefined()
      })
    },
  )
}

flStoreContract(
  'SQLite',
  () => openStore({ kind: 'sqlite', filename: ':memory:' }),
  () => Promise.resolve(),
)

const schema = freshSchema()
flStoreContract(
  'PostgreSQL',
  () => openStore({ kind: 'postgres', url: postgresUrl, schema }),
  () => dropPostgresSchema(postgresUrl, schema),
  await postgresSkipReason(),
)
