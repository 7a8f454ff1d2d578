import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest, echoCapability, hang } from '../helpers/agents.js'
import { scrape, value } from '../helpers/prometheus.js'
import { startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

describe('agentmesh_node_load on a single node', () => {
  let node: RunningNode
  let client: Mesh
  const agents = agentsOfTest()

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '5', currency: 'USD' } })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await client.close()
    await agents.closeAll()
    await node.stop()
  })

  const load = async () => value(await scrape(node.url), 'agentmesh_node_load')

  it('is 0 without agents and in-flight work over capacity with them', async () => {
    expect(await load()).toBe(0)
    await agents.start(node.url, echoCapability('load.hang', '0.01', 10_000), hang, {
      concurrency: 4,
    })
    expect(await load()).toBe(0)
    const task = await client.submit('load.hang', { text: 'x' }, { maxPrice: '0.05' })
    await waitUntil(async () => (await load()) === 0.25, { what: 'one task of four in flight' })
    await client.cancel(task.id)
    await waitUntil(async () => (await load()) === 0, { what: 'the load to fall back' })
  })
})
