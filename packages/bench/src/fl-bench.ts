import { holdOut, splitIid } from '@agentmesh/fl'
import { loadDigits } from '@agentmesh/fl/digits'
import { generateKeyPair, type FlJobSpec, type FlJobView } from '@agentmesh/protocol'
import { defineTrainer, defineValidator, Mesh, type FlAgent } from '@agentmesh/sdk'
import { resolveNodeConfig, startNode } from 'agentmesh/internal'
import type { BenchFigure } from './measure.js'

const SIZES = [10, 50, 100]
const LARGEST = 100
const VALIDATORS = 4
const ROUNDS = 2

/** The mean round time of a job, from the node's own start and end of each round. */
function roundMs(job: FlJobView): number {
  const times = job.rounds.map(
    (r) => Date.parse(r.endedAt ?? r.startedAt) - Date.parse(r.startedAt),
  )
  return times.reduce((sum, t) => sum + t, 0) / times.length
}

function spec(trainers: number, secure: boolean): FlJobSpec {
  return {
    name: `bench ${trainers}${secure ? ' secure' : ''}`,
    model: { kind: 'logreg', inputs: 64, classes: 10, seed: 1 },
    rounds: ROUNDS,
    train: { epochs: 1, batchSize: 16, learningRate: 0.1, seed: 1 },
    trainers: { count: trainers },
    strategy: { name: 'fedavg' },
    secureAggregation: secure,
    validators: { count: VALIDATORS },
    budget: { amount: (ROUNDS * trainers * 0.000001).toFixed(6), currency: 'USD' },
    roundTimeoutMs: 60_000,
  }
}

/**
 * Federated-learning rounds end to end on one node: 100 trainers and 4 validators in this process,
 * each an SDK agent on its own WebSocket, each trainer holding a share of the digits; jobs of 10,
 * 50 and 100 trainers, plain and with secure aggregation (four task steps a round, masked updates
 * summed). A figure is rounds per second from the mean of two rounds; a secure round's ratio is
 * to the plain round with as many trainers (its overhead is the inverse). Every trainer computes
 * here on the one machine: a secure round's key agreements (X25519, three per neighbour per
 * trainer) add up here, where distributed trainers would run them side by side.
 */
export async function flBench(
  onProgress: (fraction: number) => void = () => {},
): Promise<BenchFigure[]> {
  const config = resolveNodeConfig(
    { memory: true, port: 0, dashboard: false, logLevel: 'error', grant: '1000 USD' },
    {},
  )
  const node = await startNode({
    ...config,
    prettyLogs: false,
    rateLimit: { principalMax: 1e9, ipMax: 1e9, windowMs: 60_000 },
  })
  const agents: FlAgent[] = []
  const admin = await Mesh.connect(node.url, { token: node.adminToken })
  const owner = await Mesh.connect(node.url, { key: generateKeyPair() })
  try {
    const { train, heldOut } = holdOut(loadDigits(), 0.25, 1)
    for (const [i, data] of splitIid(train, LARGEST, 2).entries()) {
      agents.push(defineTrainer({ name: `bench-trainer-${i}`, data }))
    }
    const validatorKeys = splitIid(heldOut, VALIDATORS, 3).map((data, i) => {
      agents.push(defineValidator({ name: `bench-validator-${i}`, data }))
      return generateKeyPair()
    })
    for (const key of validatorKeys) await admin.setRoles(key.did, ['agent', 'validator'])
    const keys = [...Array.from({ length: LARGEST }, () => generateKeyPair()), ...validatorKeys]
    await Promise.all(
      agents.map((agent, i) => agent.connect(node.url, { key: keys[i]!, reconnect: false })),
    )
    onProgress(0.1)
    const figures: BenchFigure[] = []
    for (const [step, trainers] of SIZES.entries()) {
      const plain = await owner.fl.run(spec(trainers, false))
      const secure = await owner.fl.run(spec(trainers, true))
      for (const job of [plain, secure]) {
        if (job.state !== 'completed')
          throw new Error(`${job.spec.name} ${job.state}: ${job.error?.message}`)
      }
      const base: BenchFigure = {
        suite: 'fl',
        name: `round, ${trainers} trainers (rounds/s)`,
        opsPerSec: 1000 / roundMs(plain),
        p50Ms: roundMs(plain),
      }
      const masked: BenchFigure = {
        suite: 'fl',
        name: `round, ${trainers} trainers, secure aggregation (rounds/s)`,
        opsPerSec: 1000 / roundMs(secure),
        p50Ms: roundMs(secure),
        baseline: base.name,
        ratio: roundMs(plain) / roundMs(secure),
      }
      figures.push(base, masked)
      onProgress(0.1 + (0.9 * (step + 1)) / SIZES.length)
    }
    return figures
  } finally {
    await owner.close()
    await admin.close()
    await Promise.all(agents.map((agent) => agent.close()))
    await node.stop()
  }
}
