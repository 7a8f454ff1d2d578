import { describe, expect, it } from 'vitest'
import { registryBench } from '../src/registry-bench.js'

describe('registry benchmark', () => {
  it('reports search p50 and p99 beside a linear-scan baseline from the same run', async () => {
    const [baseline, search] = await registryBench(0, { capabilities: 400 })
    expect(baseline).toMatchObject({
      suite: 'registry',
      name: expect.stringMatching(/linear scan/),
    })
    expect(search).toMatchObject({ baseline: baseline!.name, ratio: expect.any(Number) })
    expect(search!.p99Ms).toBeGreaterThanOrEqual(search!.p50Ms!)
  })
})
