import { beforeAll, describe, expect, it } from 'vitest'
import { loadDigits } from '../src/digits.js'
import {
  aggregate,
  concat,
  createModel,
  holdOut,
  splitDirichlet,
  type ClientUpdate,
  type Dataset,
  type StrategySpec,
  type TrainConfig,
} from '../src/index.js'

// Multinomial logistic regression on the digits, 10 trainers with Dirichlet(0.5) shares, 50 rounds
// of 2 local epochs; the central model trains on the union of the shares for the same 100 epochs.
const model = createModel({ kind: 'logreg', inputs: 64, classes: 10, seed: 3 })
const local: TrainConfig = { epochs: 2, batchSize: 16, learningRate: 0.1, momentum: 0.9, seed: 0 }
const rounds = 50
const { train, heldOut } = holdOut(loadDigits(), 0.25, 1)
const shares = splitDirichlet(train, 10, 0.5, 11)
/** Trainers 8 and 9 send their update sign-flipped and scaled ×10. */
const byzantine = new Set(['t8', 't9'])

function federate(
  strategy: StrategySpec,
  attacked: boolean,
): { accuracy: number; paid: Set<string> } {
  let global = model.init()
  const paid = new Set<string>()
  for (let round = 0; round < rounds; round++) {
    const updates: ClientUpdate[] = shares.map((data: Dataset, i) => {
      const trainer = `t${i}`
      const result = model.train(global, data, { ...local, seed: round * 100 + i })
      if (!attacked || !byzantine.has(trainer)) return { trainer, ...result }
      const params = global.map((g, k) => g - 10 * (result.params[k]! - g))
      return { trainer, params, examples: result.examples }
    })
    const outcome = aggregate(strategy, global, updates)
    outcome.accepted.forEach((trainer) => paid.add(trainer))
    global = outcome.params
  }
  return { accuracy: model.evaluate(global, heldOut).accuracy, paid }
}

const points = (accuracy: number): string => `${(100 * accuracy).toFixed(1)}%`
/** Prints the accuracies for whoever runs the test (the issue asks to see them). */
const print = (line: string): void => void process.stdout.write(`${line}\n`)

describe('federated learning on the digits, 10 trainers, non-IID', () => {
  let centralAccuracy = 0
  beforeAll(() => {
    const central = model.train(model.init(), concat(shares), { ...local, epochs: rounds * 2 })
    centralAccuracy = model.evaluate(central.params, heldOut).accuracy
  })

  it('reaches with FedAvg the accuracy of central training within 2 points', () => {
    const fedAvg = federate({ name: 'fedavg' }, false)
    print(`central ${points(centralAccuracy)}, FedAvg ${points(fedAvg.accuracy)}`)
    expect(centralAccuracy).toBeGreaterThan(0.9)
    expect(Math.abs(fedAvg.accuracy - centralAccuracy)).toBeLessThanOrEqual(0.02)
  })

  it('stays within 3 points of central with Multi-Krum when 2 trainers are Byzantine, where FedAvg fails', () => {
    const fedAvg = federate({ name: 'fedavg' }, true)
    const multiKrum = federate({ name: 'multi-krum', byzantine: 2 }, true)
    const trimmed = federate({ name: 'trimmed-mean', byzantine: 2 }, true)
    const krum = federate({ name: 'krum', byzantine: 2 }, true)
    print(
      `2 of 10 Byzantine: central ${points(centralAccuracy)}, FedAvg ${points(fedAvg.accuracy)}, ` +
        `Multi-Krum ${points(multiKrum.accuracy)}, trimmed mean ${points(trimmed.accuracy)}, ` +
        `Krum ${points(krum.accuracy)}`,
    )
    expect(fedAvg.accuracy).toBeLessThan(centralAccuracy - 0.2)
    expect(multiKrum.accuracy).toBeGreaterThanOrEqual(centralAccuracy - 0.03)
    // The Byzantine trainers' updates were never used, so they would never be paid.
    for (const outcome of [multiKrum, trimmed, krum]) {
      expect([...outcome.paid].filter((trainer) => byzantine.has(trainer))).toEqual([])
    }
    expect(multiKrum.paid.size).toBe(8)
  })
})
