import { describe, expect, it } from 'vitest'
import { a2aBench } from '../src/a2a-bench.js'

describe('A2A benchmark', () => {
  // Figures only: performance goals live in `agentmesh bench --only a2a`, never in a test.
  it('measures the official @a2a-js/sdk server and the mesh endpoint in one run, the mesh against it', async () => {
    const fractions: number[] = []
    const [official, mesh] = await a2aBench(25, (fraction) => fractions.push(fraction))
    expect(official).toMatchObject({ suite: 'a2a', name: expect.stringMatching(/official/) })
    expect(official!.name).not.toMatch(/errors/)
    expect(official!.opsPerSec).toBeGreaterThan(0)
    expect(official!.p50Ms).toBeGreaterThan(0)
    expect(mesh).toMatchObject({ suite: 'a2a', baseline: official!.name })
    expect(mesh!.name).toMatch(/\/a2a\/:agentId/)
    expect(mesh!.name).not.toMatch(/errors/)
    expect(mesh!.opsPerSec).toBeGreaterThan(0)
    expect(mesh!.p50Ms).toBeGreaterThan(0)
    expect(mesh!.ratio).toBeGreaterThan(0)
    expect(mesh!.p99Ms).toBeGreaterThanOrEqual(mesh!.p50Ms!)
    expect(fractions.at(-1)).toBe(1)
  }, 60_000)
})
