import { createModel, type ModelSpec } from '@agentmesh/fl'
import {
  generateKeyPair,
  MeshError,
  parseAmount,
  type FlTrainInput,
  type KeyPair,
} from '@agentmesh/protocol'
import { defineTrainer, Mesh, type Agent, type TaskContext } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { digitsJob, digitsShares, startFlFleet, type FlFleet } from '../helpers/fl-fleet.js'
import { startTestNode } from '../helpers/test-node.js'

/** What the first trainer trained, per round: the update it masked never leaves it in the clear. */
const updates: { global: Float32Array; params: Float32Array }[] = []

function recording(spec: ModelSpec) {
  const model = createModel(spec)
  return {
    spec: model.spec,
    manifest: model.manifest,
    size: model.size,
    init: () => model.init(),
    evaluate: model.evaluate.bind(model),
    predict: model.predict.bind(model),
    train: (
      global: Float32Array,
      ...rest: Parameters<typeof model.train> extends [unknown, ...infer R] ? R : never
    ) => {
      const result = model.train(global, ...rest)
      updates.push({ global, params: result.params })
      return result
    },
  }
}

/** Trainers of `capability`; those in `failAt` fail (non-retryably) at that step. */
async function startTrainers(url: string, capability: string, failAt: (string | null)[]) {
  const { train } = digitsShares(failAt.length, 2, true)
  const agents: Agent[] = failAt.map((op, i) => {
    const honest = defineTrainer({
      name: `${capability}-${i}`,
      data: train[i]!,
      capability,
      ...(i === 1 && capability === 'fl.train' ? { model: recording } : {}),
    })
    if (op === null) return honest
    // The same agent (it knows its key once connected), failing at one step.
    const serve = honest.definition.capabilities[0]!
    const handler = serve.handler
    serve.handler = (input: FlTrainInput, ctx: TaskContext) => {
      if (input.op === op) throw new MeshError('INVALID_INPUT', `Dropping out at ${op}`)
      return handler(input, ctx) as unknown
    }
    return honest
  })
  const keys: KeyPair[] = agents.map(() => generateKeyPair())
  await Promise.all(
    agents.map((agent, i) => agent.connect(url, { key: keys[i]!, reconnect: false })),
  )
  return { dids: keys.map((k) => k.did), close: () => Promise.all(agents.map((a) => a.close())) }
}

describe('federated learning with secure aggregation', () => {
  let node: RunningNode
  let validators: FlFleet
  let owner: Mesh
  let admin: Mesh
  let dropMask: Awaited<ReturnType<typeof startTrainers>>
  let dropReveal: Awaited<ReturnType<typeof startTrainers>>

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    validators = await startFlFleet(node.url, node.adminToken, { trainers: 0, validators: 4 })
    dropMask = await startTrainers(node.url, 'fl.train', [
      'secagg-mask',
      null,
      null,
      null,
      null,
      null,
    ])
    const third = ['secagg-reveal', 'secagg-reveal', 'secagg-reveal', null, null, null]
    dropReveal = await startTrainers(node.url, 'fl.reveal', third)
    owner = await Mesh.connect(node.url, { key: generateKeyPair() })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
  }, 60_000)
  afterAll(async () => {
    await dropMask?.close()
    await dropReveal?.close()
    await owner?.close()
    await admin?.close()
    await validators?.close()
    await node?.stop()
  })

  const spec = (capability: string) =>
    digitsJob({
      rounds: 2,
      secureAggregation: true,
      trainers: { capability, count: 6, min: 4 },
      train: { epochs: 5, batchSize: 16, learningRate: 0.3, momentum: 0.5, seed: 3 },
      budget: { amount: '1.2', currency: 'USD' },
    })

  it('sums masked updates with a trainer dropping out, and pays the survivors only', async () => {
    const before = await Promise.all(
      dropMask.dids.map(async (did) =>
        parseAmount((await admin.account(`${did}:USD`)).posted.amount),
      ),
    )
    const job = await owner.fl.run(spec('fl.train'))
    expect(job.state).toBe('completed')
    for (const round of job.rounds) {
      expect(round.state).toBe('approved')
      const byTrainer = new Map(round.contributions.map((c) => [c.trainer, c]))
      expect(byTrainer.get(dropMask.dids[0]!)).toMatchObject({
        state: 'dropped',
        paid: { amount: '0' },
      })
      for (const did of dropMask.dids.slice(1)) {
        expect(byTrainer.get(did)).toMatchObject({ state: 'accepted', paid: { amount: '0.1' } })
      }
      expect(round.accuracy).toBeGreaterThan(0.7)
    }
    const after = await Promise.all(
      dropMask.dids.map(async (did) =>
        parseAmount((await admin.account(`${did}:USD`)).posted.amount),
      ),
    )
    expect(after.map((a, i) => a - before[i]!)).toEqual([0n, ...Array(5).fill(200_000n)])
    expect(await admin.verifyLedger()).toMatchObject({ ok: true, problems: [] })

    // What the node saw of trainer 1's update in round 1: its masked input, nothing like the update.
    const { tasks } = await owner.request<{
      tasks: { input: FlTrainInput; output: unknown; providerId: string }[]
    }>('GET', '/v1/tasks', undefined, { limit: 100 })
    const step = (op: string) =>
      tasks.find(
        (t) => t.input.op === op && t.input.round === 1 && t.providerId === dropMask.dids[1],
      )!
    const config = (
      step('secagg-advertise').input as unknown as { config: { scale: number; clip: number } }
    ).config
    const masked = (step('secagg-mask').output as { vector: string }).vector
    const words = new Uint32Array(new Uint8Array(Buffer.from(masked, 'base64')).buffer)
    const { global, params } = updates[0]!
    const quantized = params.map((x, k) => {
      const delta = Math.max(-config.clip, Math.min(config.clip, x - global[k]!))
      return Math.round(delta * config.scale) >>> 0
    })
    expect(words).toHaveLength(650)
    const same = words.filter((word, k) => word === quantized[k]!).length
    expect(same).toBeLessThan(2)
    expect(JSON.stringify(await owner.fl.get(job.id))).not.toContain('"params"')
  })

  it('fails a round whose reveals fall below the threshold, and pays nobody', async () => {
    const job = await owner.fl.run({ ...spec('fl.reveal'), rounds: 1 })
    const [round] = job.rounds
    expect(round).toMatchObject({ state: 'failed', error: { code: 'FL_SECAGG_BELOW_THRESHOLD' } })
    expect(job).toMatchObject({
      state: 'failed',
      paid: { amount: '0' },
      currentModel: { round: 0 },
    })
    expect(await admin.verifyLedger()).toMatchObject({ ok: true, problems: [] })
  })
})
