import { createModel, decodeParams } from '@agentmesh/fl'
import {
  generateKeyPair,
  parseAmount,
  verifyCertificate,
  type FlJobView,
} from '@agentmesh/protocol'
import { Mesh, type FlStreamEvent } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveNodeConfig, type RunningNode } from '../../src/node.js'
import { digitsJob, startFlFleet, type FlFleet } from '../helpers/fl-fleet.js'
import { post, startTestNode } from '../helpers/test-node.js'

const defaults = resolveNodeConfig({ memory: true }, {})

describe('federated-learning jobs over HTTP and the SDK', () => {
  let node: RunningNode
  let fleet: FlFleet
  let owner: Mesh
  let admin: Mesh

  beforeAll(async () => {
    node = await startTestNode({
      grant: { amount: '100', currency: 'USD' },
      ledger: { ...defaults.ledger, feeBps: 500 },
    })
    fleet = await startFlFleet(node.url, node.adminToken, { trainers: 5, validators: 4 })
    owner = await Mesh.connect(node.url, { key: generateKeyPair() })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
  }, 60_000)
  afterAll(async () => {
    await owner?.close()
    await admin?.close()
    await fleet?.close()
    await node?.stop()
  })

  const posted = async (did: string) =>
    parseAmount((await admin.account(`${did}:USD`)).posted.amount)

  it('runs rounds certified by a validator quorum and pays each accepted update from escrow', async () => {
    const me = (await owner.whoami()).did
    const before = await Promise.all(fleet.trainers.map(({ key }) => posted(key.did)))
    const events: FlStreamEvent[] = []
    const job: FlJobView = await owner.fl.run(digitsJob(), { onEvent: (e) => events.push(e) })

    expect(job).toMatchObject({ state: 'completed', error: null, currentModel: { round: 3 } })
    expect(job.escrowed).toEqual({ amount: '1.5', currency: 'USD' })
    expect(job.rounds.map((r) => r.state)).toEqual(['approved', 'approved', 'approved'])
    for (const round of job.rounds) {
      expect(round.contributions.map((c) => c.state)).toEqual(Array(5).fill('accepted'))
      expect(round.contributions.every((c) => c.paid.amount === '0.1')).toBe(true)
      const verdict = verifyCertificate(round.certificate)
      expect(verdict).toMatchObject({ ok: true, threshold: 3, n: 4 })
      expect(round.certificate!.decision).toMatchObject({
        kind: 'fl-round',
        job: job.id,
        round: round.round,
        modelHash: round.modelHash,
      })
    }
    expect(job.rounds[2]!.accuracy).toBeGreaterThan(0.8)
    expect(job.paid).toEqual({ amount: '1.5', currency: 'USD' })

    // Each trainer got 0.3 less the 5% fee; the owner paid 1.5 and holds nothing more.
    const after = await Promise.all(fleet.trainers.map(({ key }) => posted(key.did)))
    after.forEach((amount, i) => expect(amount - before[i]!).toBe(285_000n))
    const account = await owner.account(`${me}:USD`)
    expect(account).toMatchObject({ posted: { amount: '98.5' }, pending: { amount: '0' } })
    expect(await admin.verifyLedger()).toMatchObject({ ok: true, problems: [] })

    // The model in force is the last approved one, stored by its hash.
    const model = await owner.fl.model(job.id)
    expect(model).toMatchObject({ round: 3, hash: job.currentModel.hash })
    const evaluated = createModel(model.model).evaluate(
      decodeParams(model.params, 650),
      fleet.heldOut,
    )
    expect(evaluated.accuracy).toBeGreaterThan(0.8)

    // The stream gave a snapshot, each round's moves and the end.
    expect(events[0]?.event).toBe('snapshot')
    expect(events.filter((e) => e.event === 'round' && e.data.state === 'approved')).toHaveLength(3)
    expect(events.at(-1)).toMatchObject({ event: 'job', data: { state: 'completed' } })

    // The approvals are in the audit log with the model hashes and certificates.
    const audit = await admin.auditEntries({ action: 'fl.round.approved' })
    const hashes = audit.entries.map((e) => (e.details as { modelHash: string }).modelHash)
    expect(hashes).toEqual(expect.arrayContaining(job.rounds.map((r) => r.modelHash)))
  })

  it('reports the privacy each round spent with differential privacy', async () => {
    const job = await owner.fl.run(
      digitsJob({ rounds: 2, dp: { clipNorm: 2, noiseMultiplier: 0.1, delta: 1e-6 } }),
    )
    expect(job.state).toBe('completed')
    const [one, two] = job.rounds.map((r) => r.privacy!)
    expect(one).toMatchObject({ delta: 1e-6 })
    expect(one!.epsilon).toBeGreaterThan(0)
    expect(two!.epsilon).toBeGreaterThan(one!.epsilon)
  })

  it('lets participants read a job and refuses everyone else', async () => {
    const [job] = await owner.fl.list()
    const trainer = await Mesh.connect(node.url, { key: fleet.trainers[0]!.key })
    const stranger = await Mesh.connect(node.url, { key: generateKeyPair() })
    try {
      expect((await trainer.fl.get(job!.id)).id).toBe(job!.id)
      await expect(stranger.fl.get(job!.id)).rejects.toMatchObject({
        code: 'FL_JOB_NOT_FOUND',
        status: 404,
      })
      await expect(stranger.fl.model(job!.id)).rejects.toMatchObject({ code: 'FL_JOB_NOT_FOUND' })
      await expect(trainer.fl.cancel(job!.id)).rejects.toMatchObject({ code: 'FORBIDDEN' })
      await expect(owner.fl.cancel(job!.id)).rejects.toMatchObject({ code: 'FL_JOB_FINISHED' })
    } finally {
      await trainer.close()
      await stranger.close()
    }
  })

  it('refuses malformed and unaffordable jobs before escrowing anything', async () => {
    const auth = { authorization: `Bearer ${owner.token}` }
    const url = `${node.url}/v1/fl/jobs`
    const unknown = await post(url, { ...digitsJob(), extra: 1 }, auth)
    expect(unknown).toMatchObject({ status: 400 })
    const tooMany = await post(url, digitsJob({ rounds: 1000 }), auth)
    expect(tooMany.status).toBe(400)
    const short = await post(url, digitsJob({ budget: { amount: '1', currency: 'USD' } }), auth)
    expect(short).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } })
    const secureKrum = await post(
      url,
      digitsJob({ secureAggregation: true, strategy: { name: 'krum', byzantine: 1 } }),
      auth,
    )
    expect(secureKrum).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } })
    const validators = await post(url, digitsJob({ validators: { count: 7 } }), auth)
    expect(validators).toMatchObject({ status: 503, body: { error: { code: 'NO_VALIDATOR' } } })
    const nine = { trainers: { count: 9 }, budget: { amount: '2.7', currency: 'USD' } }
    const trainers = await post(url, digitsJob(nine), auth)
    expect(trainers).toMatchObject({
      status: 503,
      body: { error: { code: 'FL_NOT_ENOUGH_TRAINERS' } },
    })
    const poor = await Mesh.connect(node.url, { key: generateKeyPair() })
    await expect(
      poor.fl.create(
        digitsJob({
          budget: { amount: '150', currency: 'USD' },
          pricePerUpdate: { amount: '10', currency: 'USD' },
        }),
      ),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', status: 402 })
    await poor.close()
    expect(await admin.verifyLedger()).toMatchObject({ ok: true })
  })
})
