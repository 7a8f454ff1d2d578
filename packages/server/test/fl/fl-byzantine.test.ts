import {
  generateKeyPair,
  parseAmount,
  toBase64url,
  type FlJobView,
  type FlValidateInput,
} from '@agentmesh/protocol'
import { defineValidator, Mesh, type TaskContext } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { digitsJob, digitsShares, startFlFleet, type FlFleet } from '../helpers/fl-fleet.js'
import { startTestNode } from '../helpers/test-node.js'

/** Validators of `capability` that evaluate honestly, and sign with random bytes when `forge`. */
async function startValidators(url: string, admin: Mesh, capability: string, forge: boolean[]) {
  const { heldOut } = digitsShares(2, forge.length, true)
  const agents = forge.map((forged, i) => {
    const honest = defineValidator({ name: `${capability}-${i}`, data: heldOut[i]!, capability })
    if (!forged) return honest
    // The same agent, signing with random bytes.
    const serve = honest.definition.capabilities[0]!
    const handler = serve.handler
    serve.handler = (input: FlValidateInput, ctx: TaskContext) =>
      input.op === 'sign'
        ? { signature: toBase64url(crypto.getRandomValues(new Uint8Array(64))) }
        : (handler(input, ctx) as unknown)
    return honest
  })
  const keys = agents.map(() => generateKeyPair())
  for (const key of keys) await admin.setRoles(key.did, ['agent', 'validator'])
  await Promise.all(
    agents.map((agent, i) => agent.connect(url, { key: keys[i]!, reconnect: false })),
  )
  return { close: () => Promise.all(agents.map((a) => a.close())), dids: keys.map((k) => k.did) }
}

describe('federated learning with Byzantine trainers and validators', () => {
  let node: RunningNode
  let fleet: FlFleet
  let owner: Mesh
  let admin: Mesh
  let forgers: Awaited<ReturnType<typeof startValidators>>
  let oneForger: Awaited<ReturnType<typeof startValidators>>

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    // Ten trainers, the first two sending their updates sign-flipped and scaled ×10.
    fleet = await startFlFleet(node.url, node.adminToken, {
      trainers: 10,
      validators: 4,
      byzantine: 2,
      iid: true,
    })
    owner = await Mesh.connect(node.url, { key: generateKeyPair() })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    forgers = await startValidators(node.url, admin, 'fl.forged', [true, true, false, false])
    oneForger = await startValidators(node.url, admin, 'fl.one-forged', [true, false, false, false])
  }, 60_000)
  afterAll(async () => {
    await forgers?.close()
    await oneForger?.close()
    await owner?.close()
    await admin?.close()
    await fleet?.close()
    await node?.stop()
  })

  const balances = () =>
    Promise.all(
      fleet.trainers.map(async ({ key }) =>
        parseAmount((await admin.account(`${key.did}:USD`)).posted.amount),
      ),
    )
  const byzantine = () => fleet.trainers.slice(0, 2).map(({ key }) => key.did)
  const job = (overrides: Parameters<typeof digitsJob>[0]) =>
    digitsJob({
      rounds: 2,
      trainers: { count: 10 },
      budget: { amount: '2', currency: 'USD' },
      train: { epochs: 5, batchSize: 16, learningRate: 0.3, momentum: 0.5, seed: 3 },
      acceptance: { minAccuracy: 0.5 },
      ...overrides,
    })

  /** Runs a job and answers it with what each trainer earned. */
  async function run(overrides: Parameters<typeof digitsJob>[0]) {
    const before = await balances()
    const ended: FlJobView = await owner.fl.run(job(overrides))
    const after = await balances()
    return { job: ended, earned: after.map((amount, i) => amount - before[i]!) }
  }

  it.each([
    ['trimmed mean', { name: 'trimmed-mean' as const, byzantine: 2 }],
    ['Krum', { name: 'krum' as const, byzantine: 2 }],
  ])('pays no Byzantine trainer under %s, whose rounds are approved', async (_name, strategy) => {
    const { job, earned } = await run({ strategy })
    expect(job.state).toBe('completed')
    expect(job.rounds.map((r) => r.state)).toEqual(['approved', 'approved'])
    for (const round of job.rounds) {
      const bad = round.contributions.filter((c) => byzantine().includes(c.trainer))
      expect(bad.map((c) => [c.state, c.paid.amount])).toEqual([
        ['discarded', '0'],
        ['discarded', '0'],
      ])
      expect(round.accuracy).toBeGreaterThan(0.8)
    }
    expect(earned.slice(0, 2)).toEqual([0n, 0n])
    const paid = earned.reduce((sum, e) => sum + e, 0n)
    expect(paid).toBe(parseAmount(job.paid.amount))
    expect(paid).toBeGreaterThan(0n)
    expect(await admin.verifyLedger()).toMatchObject({ ok: true, problems: [] })
  })

  it('counts a discarded update against its trainer’s reputation', async () => {
    const [first] = byzantine()
    const reputation = await owner.reputation(first!, { capability: 'fl.train' })
    expect(reputation.stats.disputed).toBeGreaterThanOrEqual(2)
    const honest = await owner.reputation(fleet.trainers[5]!.key.did, { capability: 'fl.train' })
    expect(honest.score).toBeGreaterThan(reputation.score)
  })

  it('does not approve or pay a poisoned aggregate, and keeps the previous model', async () => {
    const { job, earned } = await run({ strategy: { name: 'fedavg' }, rounds: 1 })
    expect(job).toMatchObject({
      state: 'failed',
      currentModel: { round: 0 },
      paid: { amount: '0' },
      error: { code: 'FL_ROUND_REJECTED' },
    })
    const [round] = job.rounds
    expect(round).toMatchObject({ state: 'rejected', certificate: null })
    expect(round!.error).toMatchObject({ code: 'FL_ROUND_REJECTED' })
    expect(round!.accuracy).toBeLessThan(0.5)
    expect(round!.reports.every((r) => !r.accept)).toBe(true)
    expect(job.currentModel.hash).not.toBe(round!.modelHash)
    expect((await owner.fl.model(job.id)).hash).toBe(job.currentModel.hash)
    expect(earned).toEqual(Array(10).fill(0n))
    const me = (await owner.whoami()).did
    expect(await owner.account(`${me}:USD`)).toMatchObject({ pending: { amount: '0' } })
    expect(await admin.verifyLedger()).toMatchObject({ ok: true, problems: [] })
  })

  it('refuses forged signatures: with too few valid ones the round is rejected and unpaid', async () => {
    const strategy = { name: 'multi-krum' as const, byzantine: 2 }
    const { job, earned } = await run({
      strategy,
      rounds: 1,
      validators: { capability: 'fl.forged', count: 4 },
    })
    const [round] = job.rounds
    expect(round).toMatchObject({ state: 'rejected', certificate: null })
    expect(round!.error!.message).toContain('2 of 4 validators signed; 3 (2f+1) needed')
    expect(round!.reports.every((r) => r.accept)).toBe(true)
    expect(round!.refusedSignatures.map((r) => r.validator).sort()).toEqual(
      forgers.dids.slice(0, 2).sort(),
    )
    expect(round!.refusedSignatures[0]!.reason).toContain('does not verify')
    expect(job).toMatchObject({ state: 'failed', currentModel: { round: 0 } })
    expect(earned).toEqual(Array(10).fill(0n))

    // One forger of four leaves a quorum of three: approved, the forger's signature left out.
    const { job: approved } = await run({
      strategy,
      rounds: 1,
      validators: { capability: 'fl.one-forged', count: 4 },
    })
    const [certified] = approved.rounds
    expect(certified).toMatchObject({ state: 'approved' })
    expect(certified!.certificate!.signatures.map((s) => s.signer)).not.toContain(oneForger.dids[0])
    expect(certified!.refusedSignatures.map((r) => r.validator)).toEqual([oneForger.dids[0]])
    expect(await admin.verifyLedger()).toMatchObject({ ok: true, problems: [] })
  })
})
