import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { echo, echoCapability, startAgent } from '../helpers/agents.js'
import { get, startTestNode } from '../helpers/test-node.js'

describe('GET /v1/stats', () => {
  let node: RunningNode
  let client: Mesh

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '10', currency: 'USD' } })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await client.close()
    await node.stop()
  })

  it('needs a signed-in principal', async () => {
    expect((await get(`${node.url}/v1/stats`)).status).toBe(401)
  })

  it('counts finished tasks, their latency and the agents online', async () => {
    const { agent } = await startAgent(node.url, echoCapability('stats.echo'), echo)
    try {
      for (let i = 0; i < 3; i++) {
        const task = await client.submit(
          'stats.echo',
          { text: `${i}` },
          { maxPrice: '0.05', wait: 5000 },
        )
        expect(task.state).toBe('completed')
      }
      const stats = await client.stats()
      expect(stats).toMatchObject({ finished: 3, errors: 0, errorRate: 0, agentsOnline: 1 })
      expect(stats.tasksPerSecond).toBeCloseTo(3 / 60)
      expect(stats.latencyMs.p50).toBeGreaterThanOrEqual(0)
      expect(stats.series).toHaveLength(60)
      expect(stats.series.reduce((sum, point) => sum + point.finished, 0)).toBe(3)
    } finally {
      await agent.close()
    }
  })
})
