import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest, echoCapability, hang } from '../helpers/agents.js'
import { startTestNode } from '../helpers/test-node.js'

describe('a task whose attempts all time out', () => {
  let node: RunningNode
  let client: Mesh
  const agents = agentsOfTest()
  const retry = { initialIntervalMs: 10, maximumIntervalMs: 20 }

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterEach(() => agents.closeAll())
  afterAll(async () => {
    await client?.close()
    await node?.stop()
  })

  it('says how many attempts ran and after how long each timed out', async () => {
    await agents.start(node.url, echoCapability('timeouts.slow', '0.01', 300), hang)
    const task = await client.submit(
      'timeouts.slow',
      { text: 'x' },
      { maxPrice: '0.05', retry: { ...retry, maximumAttempts: 2 }, wait: 10_000 },
    )
    expect(task.state).toBe('timed_out')
    expect(task.error).toMatchObject({
      code: 'TIMEOUT',
      message: 'Task timed out: 2 attempts ran and all timed out after 300 ms each',
      details: { attempts: 2 },
    })
    expect(task.settlement.paid.amount).toBe('0')
  })

  it('names each timeout when the providers promise different ones', async () => {
    await agents.start(node.url, echoCapability('timeouts.two', '0.01', 200), hang)
    await agents.start(node.url, echoCapability('timeouts.two', '0.02', 400), hang)
    const task = await client.submit(
      'timeouts.two',
      { text: 'x' },
      { maxPrice: '0.05', retry: { ...retry, maximumAttempts: 1 }, wait: 10_000 },
    )
    expect(task.state).toBe('timed_out')
    const after = task.attempts.map((a) => (a.agentId === task.attempts[0]!.agentId ? 0 : 1))
    expect(after).toEqual([0, 1])
    expect(task.error?.message).toMatch(
      /^Task timed out: 2 attempts ran and all timed out after (200 and 400|400 and 200) ms$/,
    )
  })

  it('says so for a single attempt', async () => {
    await agents.start(node.url, echoCapability('timeouts.once', '0.01', 250), hang)
    const task = await client.submit(
      'timeouts.once',
      { text: 'x' },
      { maxPrice: '0.05', retry: { ...retry, maximumAttempts: 1 }, wait: 10_000 },
    )
    expect(task.error?.message).toBe('Task timed out: 1 attempt ran and timed out after 250 ms')
  })
})
