import {
  createModel,
  holdOut,
  splitDirichlet,
  splitIid,
  type Dataset,
  type ModelSpec,
} from '@agentmesh/fl'
import { loadDigits } from '@agentmesh/fl/digits'
import { generateKeyPair, type FlJobSpec, type KeyPair } from '@agentmesh/protocol'
import {
  defineTrainer,
  defineValidator,
  Mesh,
  type FlAgent,
  type ModelFactory,
  type ValidatorDefinition,
} from '@agentmesh/sdk'

/** The digits split for a test: trainers' shares (non-IID unless asked), validators' held-out shares. */
export function digitsShares(trainers: number, validators: number, iid = false) {
  const { train, heldOut } = holdOut(loadDigits(), 0.25, 7)
  return {
    train:
      trainers === 0
        ? []
        : iid
          ? splitIid(train, trainers, 11)
          : splitDirichlet(train, trainers, 0.5, 11),
    heldOut: splitIid(heldOut, validators, 13),
    allHeldOut: heldOut,
  }
}

/** A model whose training sends the update sign-flipped and scaled ×10: a Byzantine trainer. */
export const signFlipped: ModelFactory = (spec: ModelSpec) => {
  const model = createModel(spec)
  return {
    spec: model.spec,
    manifest: model.manifest,
    size: model.size,
    init: () => model.init(),
    evaluate: (params, data) => model.evaluate(params, data),
    predict: (params, data) => model.predict(params, data),
    train(global, data, config) {
      const result = model.train(global, data, config)
      return { ...result, params: global.map((x, k) => x - 10 * (result.params[k]! - x)) }
    },
  }
}

export interface FlFleet {
  trainers: { agent: FlAgent; key: KeyPair }[]
  validators: { agent: FlAgent; key: KeyPair }[]
  heldOut: Dataset
  close(): Promise<void>
}

/**
 * Starts SDK trainers and validators (the validators' keys given the validator role by the admin)
 * on a node, on shares of the digits. The first `byzantine` trainers sign-flip their updates.
 */
export async function startFlFleet(
  url: string,
  adminToken: string,
  options: {
    trainers: number
    validators: number
    byzantine?: number
    iid?: boolean
    validator?: (i: number) => Partial<ValidatorDefinition>
  },
): Promise<FlFleet> {
  const shares = digitsShares(options.trainers, options.validators, options.iid)
  const admin = await Mesh.connect(url, { token: adminToken })
  const trainers = shares.train.map((data, i) => ({
    key: generateKeyPair(),
    agent: defineTrainer({
      name: `trainer-${i}`,
      data,
      ...(i < (options.byzantine ?? 0) ? { model: signFlipped } : {}),
    }),
  }))
  const validators = shares.heldOut.map((data, i) => ({
    key: generateKeyPair(),
    agent: defineValidator({ name: `validator-${i}`, data, ...options.validator?.(i) }),
  }))
  for (const { key } of validators) await admin.setRoles(key.did, ['agent', 'validator'])
  await Promise.all(
    [...trainers, ...validators].map(({ agent, key }) =>
      agent.connect(url, { key, reconnect: false }),
    ),
  )
  return {
    trainers,
    validators,
    heldOut: shares.allHeldOut,
    close: async () => {
      await Promise.all([...trainers, ...validators].map(({ agent }) => agent.close()))
      await admin.close()
    },
  }
}

/** A small job on the digits: logistic regression, FedAvg, 4 validators (f = 1). */
export function digitsJob(overrides: Partial<FlJobSpec> = {}): FlJobSpec {
  return {
    name: 'digits',
    model: { kind: 'logreg', inputs: 64, classes: 10, seed: 1 },
    rounds: 3,
    train: { epochs: 2, batchSize: 16, learningRate: 0.1, momentum: 0.5, seed: 3 },
    trainers: { count: 5 },
    strategy: { name: 'fedavg' },
    validators: { count: 4 },
    acceptance: { minAccuracy: 0.3 },
    budget: { amount: '1.5', currency: 'USD' },
    pricePerUpdate: { amount: '0.1', currency: 'USD' },
    roundTimeoutMs: 30_000,
    ...overrides,
  }
}
