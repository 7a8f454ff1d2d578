import { parseAmount, type Pricing } from '@agentmesh/protocol'
import { describe, expect, it } from 'vitest'
import { allotBudget, type Allotment } from '../../../src/core/pipelines/pipeline-budget.js'
import type { ProviderDirectory } from '../../../src/core/ports/provider-directory.js'
import { candidate, echoCapability } from '../tasks/task-doubles.js'

/** One provider per capability, at a price; filtered by `maxPriceMicros` as the registry does. */
function directory(prices: Record<string, Pricing>): ProviderDirectory {
  return {
    candidates: (query) => {
      const pricing = prices[query.capabilityId]
      const fits =
        pricing &&
        (query.maxPriceMicros === undefined || parseAmount(pricing.amount) <= query.maxPriceMicros)
      const found = { ...echoCapability(), id: query.capabilityId, pricing: pricing! }
      return Promise.resolve(fits ? [candidate(`did:${query.capabilityId}`, found)] : [])
    },
    knows: (id) => Promise.resolve(id in prices),
  }
}

const perCall = (amount: string): Pricing => ({ model: 'per_call', amount, currency: 'USD' })
const perUnit = (amount: string): Pricing => ({ model: 'per_unit', amount, currency: 'USD' })
const view = (allotments: Map<string, Allotment>) =>
  Object.fromEntries(
    [...allotments].map(([id, a]) => [id, 'error' in a ? a.error.code : a.maxPriceMicros]),
  )

describe('allotBudget', () => {
  it('gives each step the price of its provider and per-unit steps what is left, evenly', async () => {
    const found = directory({ a: perCall('0.2'), u: perUnit('0.01'), v: perUnit('0.01') })
    const steps = [
      { id: 'a', capability: 'a' },
      { id: 'u', capability: 'u' },
      { id: 'v', capability: 'v' },
      { id: 'fixed', capability: 'a', maxPrice: '0.3' },
    ]
    const allotted = await allotBudget(found, steps, 1_000_001n, 'USD')
    // 1.000001 - 0.2 - 0.3 - 0.01 - 0.01 = 0.480001 left, split 0.240001 / 0.24.
    expect(view(allotted)).toEqual({ a: 200_000n, u: 250_001n, v: 250_000n, fixed: 300_000n })
  })

  it('refuses, in definition order, the steps that do not fit', async () => {
    const found = directory({ a: perCall('0.4'), b: perCall('0.4'), c: perCall('0.2') })
    const steps = ['a', 'b', 'c'].map((id) => ({ id, capability: id }))
    expect(view(await allotBudget(found, steps, 600_000n, 'USD'))).toEqual({
      a: 400_000n,
      b: 'BUDGET_EXCEEDED',
      c: 200_000n,
    })
  })

  it('leaves a step without any provider to its task, holding nothing', async () => {
    const allotted = await allotBudget(directory({}), [{ id: 'x', capability: 'x' }], 5n, 'USD')
    expect(view(allotted)).toEqual({ x: 0n })
  })

  it('answers an error per step when the directory fails', async () => {
    const broken: ProviderDirectory = {
      candidates: () => Promise.reject(new Error('down')),
      knows: () => Promise.resolve(true),
    }
    const allotted = await allotBudget(broken, [{ id: 'x', capability: 'x' }], 5n, 'USD')
    expect(view(allotted)).toEqual({ x: 'INTERNAL' })
  })
})
