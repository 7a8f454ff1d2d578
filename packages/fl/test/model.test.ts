import { describe, expect, it } from 'vitest'
import { loadDigits } from '../src/digits.js'
import {
  createModel,
  decodeParams,
  encodeParams,
  hashParams,
  holdOut,
  manifestSize,
  subset,
  type ModelSpec,
} from '../src/index.js'

const digits = loadDigits()
const { train, heldOut } = holdOut(digits, 0.25, 7)

describe('models', () => {
  it('lays out logreg and MLP parameters by their manifest', () => {
    const logreg = createModel({ kind: 'logreg', inputs: 64, classes: 10, seed: 1 })
    expect(logreg.manifest).toEqual([
      { name: 'dense0.weight', shape: [64, 10] },
      { name: 'dense0.bias', shape: [10] },
    ])
    expect(logreg.size).toBe(650)
    const mlp = createModel({ kind: 'mlp', inputs: 64, classes: 10, hidden: [32, 16], seed: 1 })
    expect(mlp.size).toBe(64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10)
    expect(manifestSize(mlp.manifest)).toBe(mlp.size)
    expect(mlp.init()).toHaveLength(mlp.size)
  })

  it('initializes and trains deterministically from its seeds', () => {
    const spec: ModelSpec = { kind: 'mlp', inputs: 64, classes: 10, hidden: [16], seed: 5 }
    const config = { epochs: 1, batchSize: 32, learningRate: 0.1, momentum: 0.9, seed: 9 }
    const a = createModel(spec)
    const b = createModel(spec)
    expect(hashParams(a.init())).toBe(hashParams(b.init()))
    const first = a.train(a.init(), train, config)
    const second = b.train(b.init(), train, config)
    expect(hashParams(first.params)).toBe(hashParams(second.params))
    expect(first.loss).toBe(second.loss)
    const other = a.train(a.init(), train, { ...config, seed: 10 })
    expect(hashParams(other.params)).not.toBe(hashParams(first.params))
    expect(hashParams(createModel({ ...spec, seed: 6 }).init())).not.toBe(hashParams(a.init()))
  })

  it('computes the exact gradient of the cross-entropy (checked by finite differences)', () => {
    const model = createModel({ kind: 'mlp', inputs: 64, classes: 10, hidden: [8], seed: 2 })
    const data = subset(
      train,
      Array.from({ length: 24 }, (_, i) => i),
    )
    const start = model.init()
    // One full-batch step of plain SGD with learning rate 1 moves the parameters by −gradient.
    const stepped = model.train(start, data, { epochs: 1, batchSize: 24, learningRate: 1, seed: 0 })
    const epsilon = 1e-3
    for (const k of [0, 7, 300, 512, 515, 520, model.size - 3]) {
      const plus = Float32Array.from(start)
      const minus = Float32Array.from(start)
      plus[k] = start[k]! + epsilon
      minus[k] = start[k]! - epsilon
      const numeric =
        (model.evaluate(plus, data).loss - model.evaluate(minus, data).loss) / (plus[k] - minus[k])
      const analytic = start[k]! - stepped.params[k]!
      expect(Math.abs(analytic - numeric), `parameter ${k}`).toBeLessThan(
        1e-3 + 0.02 * Math.abs(numeric),
      )
    }
  })

  it('learns the digits: logreg and MLP above 90% on held-out data after a few epochs', () => {
    for (const spec of [
      { kind: 'logreg', inputs: 64, classes: 10, seed: 1 },
      { kind: 'mlp', inputs: 64, classes: 10, hidden: [32], seed: 1 },
    ] satisfies ModelSpec[]) {
      const model = createModel(spec)
      const before = model.evaluate(model.init(), heldOut)
      const trained = model.train(model.init(), train, {
        epochs: 10,
        batchSize: 16,
        learningRate: 0.1,
        momentum: 0.9,
        seed: 3,
      })
      const after = model.evaluate(trained.params, heldOut)
      expect(after.accuracy, spec.kind).toBeGreaterThan(0.9)
      expect(after.loss).toBeLessThan(before.loss)
      expect(trained.examples).toBe(train.labels.length)
      expect(model.predict(trained.params, heldOut)).toHaveLength(heldOut.labels.length)
    }
  })

  it('keeps parameters near the start with a proximal term (FedProx)', () => {
    const model = createModel({ kind: 'logreg', inputs: 64, classes: 10, seed: 1 })
    const start = model.init()
    const config = { epochs: 3, batchSize: 16, learningRate: 0.1, seed: 3 }
    const distance = (params: Float32Array): number =>
      Math.hypot(...params.map((p, k) => p - start[k]!))
    const free = model.train(start, train, config)
    const held = model.train(start, train, { ...config, proximalMu: 1 })
    expect(distance(held.params)).toBeLessThan(0.7 * distance(free.params))
  })

  it('refuses bad specs, parameters and settings with INVALID_INPUT', () => {
    const model = createModel({ kind: 'logreg', inputs: 64, classes: 10, seed: 1 })
    const config = { epochs: 1, batchSize: 16, learningRate: 0.1, seed: 3 }
    const bad = [
      () => createModel({ kind: 'logreg', inputs: 0, classes: 10, seed: 1 }),
      () => createModel({ kind: 'logreg', inputs: 64, classes: 10, hidden: [4], seed: 1 }),
      () => createModel({ kind: 'mlp', inputs: 64, classes: 10, hidden: [1e6], seed: 1 }),
      () => createModel({ kind: 'cnn', inputs: 64, classes: 10, seed: 1 } as unknown as ModelSpec),
      () => model.train(new Float32Array(3), train, config),
      () => model.train(model.init(), train, { ...config, epochs: 0 }),
      () => model.train(model.init(), train, { ...config, momentum: 1 }),
      () => model.evaluate(model.init(), { ...train, inputs: 63 }),
    ]
    for (const call of bad) expect(call).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
  })
})

describe('parameters on the wire', () => {
  it('round-trips through base64 and hashes the same bytes on every platform', () => {
    const params = Float32Array.from([0, -1.5, 3.25e-8, 65504, -0])
    const text = encodeParams(params)
    expect(encodeParams(Float32Array.from([1]))).toBe('AACAPw==')
    expect(text).toBe(Buffer.from(params.buffer).toString('base64'))
    expect(decodeParams(text, 5)).toEqual(params)
    expect(hashParams(params)).toMatch(/^[0-9a-f]{64}$/)
    expect(hashParams(Float32Array.from([0, -1.5, 3.25e-8, 65504, 0]))).not.toBe(hashParams(params))
  })

  it('refuses text that is not base64, a wrong length and numbers that are not finite', () => {
    const nan = encodeParams(Float32Array.from([1, Number.NaN]))
    const infinite = encodeParams(Float32Array.from([Number.POSITIVE_INFINITY]))
    for (const call of [
      () => decodeParams('not base64!'),
      () => decodeParams('AAAA', 2),
      () => decodeParams('AAAAAAA='),
      () => decodeParams(nan),
      () => decodeParams(infinite),
    ]) {
      expect(call).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
    }
  })
})
