import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh, type PipelineRunView } from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest, echo, echoCapability } from '../helpers/agents.js'
import { startTestNode } from '../helpers/test-node.js'

const stateOf = (run: PipelineRunView) => Object.fromEntries(run.steps.map((s) => [s.id, s.state]))

/** Two steps side by side, neither with a `maxPrice`. */
function pair(budget: string, left: string, right: string) {
  return {
    budget: { amount: budget, currency: 'USD' },
    steps: [
      { id: 'left', capability: left, input: { text: 'l' } },
      { id: 'right', capability: right, input: { text: 'r' } },
    ],
  }
}

describe('a pipeline budget shared by parallel steps', () => {
  let node: RunningNode
  let client: Mesh
  const agents = agentsOfTest()

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterEach(() => agents.closeAll())
  afterAll(async () => {
    await client?.close()
    await node?.stop()
  })

  /**
   * Starts an agent per capability whose handler answers only once every one of them has been
   * called: the steps must run side by side, each with its share of the budget.
   */
  async function meetingAgents(prices: Record<string, string>) {
    const ids = Object.keys(prices)
    const called = new Set<string>()
    let allCalled!: () => void
    const meeting = new Promise<void>((resolve) => (allCalled = resolve))
    for (const id of ids) {
      await agents.start(node.url, echoCapability(id, prices[id], 10_000), async (input) => {
        called.add(id)
        if (called.size === ids.length) allCalled()
        await meeting
        return { text: input.text }
      })
    }
  }

  it('runs two parallel steps without maxPrice when the budget covers both', async () => {
    await meetingAgents({ 'budget.a': '0.3', 'budget.b': '0.3' })
    const run = await client.runPipeline(pair('0.6', 'budget.a', 'budget.b'), undefined, {
      wait: 20_000,
    })
    expect(stateOf(run)).toEqual({ left: 'completed', right: 'completed' })
    expect(run).toMatchObject({ state: 'completed', spent: { amount: '0.6', currency: 'USD' } })
  })

  it('shares by price, whichever step comes first: a dear step first leaves a cheap one its price', async () => {
    await meetingAgents({ 'budget.dear': '0.5', 'budget.cheap': '0.1' })
    const run = await client.runPipeline(pair('0.6', 'budget.dear', 'budget.cheap'), undefined, {
      wait: 20_000,
    })
    expect(stateOf(run)).toEqual({ left: 'completed', right: 'completed' })
    expect(run.spent.amount).toBe('0.6')
  })

  it('fails a budget too small for both clearly, before either step spends anything', async () => {
    await agents.start(node.url, echoCapability('budget.c', '0.3'), echo)
    await agents.start(node.url, echoCapability('budget.d', '0.3'), echo)
    const { did } = await client.whoami()
    const admin = await Mesh.connect(node.url, { token: node.adminToken })
    const before = await admin.account(`${did}:USD`)
    const run = await client.runPipeline(pair('0.5', 'budget.c', 'budget.d'), undefined, {
      wait: 20_000,
    })
    expect(run.state).toBe('failed')
    expect(stateOf(run)).toEqual({ left: 'skipped', right: 'failed' })
    expect(run.steps[1]!.error).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message:
        'Step "right" needs 0.3 USD (its best-ranked provider asks) but the run has 0.2 USD left',
    })
    expect(run.spent.amount).toBe('0')
    const after = await admin.account(`${did}:USD`)
    expect(after.available).toEqual(before.available)
    await admin.close()
  })

  it('fails a step whose only provider asks more than the whole budget, naming the price', async () => {
    await agents.start(node.url, echoCapability('budget.dearest', '2'), echo)
    const run = await client.runPipeline(
      {
        budget: { amount: '1', currency: 'USD' },
        steps: [{ id: 'only', capability: 'budget.dearest', input: { text: 'x' } }],
      },
      undefined,
      { wait: 20_000 },
    )
    expect(run.steps[0]!.error).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message: expect.stringContaining('needs 2 USD'),
    })
  })
})
