import { holdOut, splitDirichlet, splitIid } from '@agentmesh/fl'
import { loadDigits } from '@agentmesh/fl/digits'
import type { FlJobSpec } from '@agentmesh/protocol'
import { defineTrainer, defineValidator, Mesh, type FlAgent, type KeyPair } from '@agentmesh/sdk'

const TRAINERS = 5
const VALIDATORS = 4

/** The demo's job: logistic regression on the digits, ten rounds, FedAvg, four validators. */
export const demoJob: FlJobSpec = {
  name: 'digits (demo)',
  model: { kind: 'logreg', inputs: 64, classes: 10, seed: 1 },
  rounds: 10,
  train: { epochs: 2, batchSize: 16, learningRate: 0.1, momentum: 0.5, seed: 1 },
  trainers: { count: TRAINERS },
  strategy: { name: 'fedavg' },
  validators: { count: VALIDATORS },
  acceptance: { minAccuracy: 0.3 },
  budget: { amount: '0.5', currency: 'USD' },
}

/** The demo's federated learners: trainers on non-IID shares of the digits, validators on held-out ones. */
export interface DemoLearners {
  agents: { agent: FlAgent; key: KeyPair }[]
}

/**
 * Federated-learning agents for the demo: five trainers, each holding a Dirichlet(0.5) share of
 * three quarters of the digits, and four validators holding a quarter of the rest each, their keys
 * given the validator role by the node first.
 */
export async function startLearners(
  url: string,
  keyOf: (name: string) => KeyPair,
  makeValidator: (did: string) => Promise<void>,
): Promise<DemoLearners> {
  const { train, heldOut } = holdOut(loadDigits(), 0.25, 7)
  const agents = [
    ...splitDirichlet(train, TRAINERS, 0.5, 11).map((data, i) => {
      const name = `digits-trainer-${i + 1}`
      return { agent: defineTrainer({ name, data }), key: keyOf(name) }
    }),
    ...splitIid(heldOut, VALIDATORS, 13).map((data, i) => {
      const name = `digits-validator-${i + 1}`
      return { agent: defineValidator({ name, data }), key: keyOf(name), validator: true }
    }),
  ]
  for (const entry of agents) if ('validator' in entry) await makeValidator(entry.key.did)
  await Promise.all(agents.map(({ agent, key }) => agent.connect(url, { key })))
  return { agents }
}

/** Starts the demo's job as the demo client; the node runs it, the dashboard shows it. */
export async function startDemoJob(url: string, key: KeyPair): Promise<string> {
  const mesh = await Mesh.connect(url, { key })
  try {
    return (await mesh.fl.create(demoJob)).id
  } finally {
    await mesh.close()
  }
}
