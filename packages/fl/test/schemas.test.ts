import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import {
  advertiseKeys,
  dpConfigSchema,
  keyAdvertisementSchema,
  maskedInputSchema,
  maskInput,
  modelSpecSchema,
  revealMessageSchema,
  revealShares,
  routeShares,
  secAggConfigSchema,
  shareKeys,
  shareKeysMessageSchema,
  strategySpecSchema,
  trainConfigSchema,
  unmaskRequest,
  unmaskRequestSchema,
  type SecAggConfig,
} from '../src/index.js'

const ajv = new Ajv({ strict: true, allErrors: true })
const valid = (schema: object, value: unknown): boolean => ajv.validate(schema, value)

describe('the schemas', () => {
  it('accept the settings of a job and refuse malformed ones', () => {
    expect(
      valid(modelSpecSchema, { kind: 'mlp', inputs: 64, classes: 10, hidden: [32], seed: 1 }),
    ).toBe(true)
    expect(valid(modelSpecSchema, { kind: 'cnn', inputs: 64, classes: 10, seed: 1 })).toBe(false)
    expect(
      valid(trainConfigSchema, {
        epochs: 2,
        batchSize: 16,
        learningRate: 0.1,
        momentum: 0.9,
        seed: 0,
      }),
    ).toBe(true)
    expect(valid(trainConfigSchema, { epochs: 2, batchSize: 16, learningRate: 0, seed: 0 })).toBe(
      false,
    )
    for (const spec of [
      { name: 'fedavg' },
      { name: 'fedprox', mu: 0.01 },
      { name: 'fedadam', learningRate: 0.1 },
      { name: 'median', byzantine: 2 },
      { name: 'trimmed-mean', byzantine: 2 },
      { name: 'krum', byzantine: 2 },
      { name: 'multi-krum', byzantine: 2, keep: 5 },
    ]) {
      expect(valid(strategySpecSchema, spec), spec.name).toBe(true)
    }
    for (const spec of [
      { name: 'krum' },
      { name: 'fedavg', mu: 1 },
      { name: 'bulyan', byzantine: 1 },
    ]) {
      expect(valid(strategySpecSchema, spec), spec.name).toBe(false)
    }
    expect(valid(dpConfigSchema, { clipNorm: 1, noiseMultiplier: 1.1 })).toBe(true)
    expect(valid(dpConfigSchema, { clipNorm: 1 })).toBe(false)
  })

  it('accept every message of a secure-aggregation round and refuse altered ones', async () => {
    const config: SecAggConfig = {
      context: 'job/1',
      trainers: ['a', 'b', 'c', 'd'],
      threshold: 3,
      scale: 1024,
      clip: 4,
    }
    expect(valid(secAggConfigSchema, config)).toBe(true)
    expect(valid(secAggConfigSchema, { ...config, trainers: ['a', 'a'] })).toBe(false)
    const advertised = config.trainers.map((trainer) => advertiseKeys(config, trainer))
    const ads = advertised.map((a) => a.message)
    const shared = await Promise.all(advertised.map((a) => shareKeys(a.state, ads)))
    const routed = routeShares(
      config,
      shared.map((s) => s.message),
    )
    const masked = shared.map((s, i) =>
      maskInput(s.state, routed.get(config.trainers[i]!)!, new Float32Array(8)),
    )
    const request = unmaskRequest(
      config,
      shared.map((s) => s.message),
      masked.map((m) => m.message),
    )
    const reveals = masked.map((m) => revealShares(m.state, request))
    for (const ad of ads) expect(valid(keyAdvertisementSchema, ad)).toBe(true)
    for (const s of shared) expect(valid(shareKeysMessageSchema, s.message)).toBe(true)
    for (const m of masked) expect(valid(maskedInputSchema(8), m.message)).toBe(true)
    expect(valid(maskedInputSchema(7), masked[0]!.message)).toBe(false)
    expect(valid(unmaskRequestSchema, request)).toBe(true)
    for (const r of reveals) expect(valid(revealMessageSchema, r)).toBe(true)
    expect(valid(keyAdvertisementSchema, { ...ads[0], maskingKey: 'A'.repeat(100) })).toBe(false)
    expect(valid(keyAdvertisementSchema, { ...ads[0], extra: 1 })).toBe(false)
    expect(
      valid(revealMessageSchema, { ...reveals[0], keyShares: [{ owner: 'a', share: '!' }] }),
    ).toBe(false)
  })
})
