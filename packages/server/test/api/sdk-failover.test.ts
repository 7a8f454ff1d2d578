import { generateKeyPair } from '@agentmesh/protocol'
import { defineAgent, Mesh, type AgentCapability } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { echo, echoCapability } from '../helpers/agents.js'
import { get, startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

/**
 * Two independent nodes stand in for a cluster's: when the first stops, an SDK agent given both
 * URLs moves to the second (registering its card there, since that node never saw it) and a
 * client given both URLs sends its idempotent submit and its reads to the second.
 */
describe('SDK failover between two real nodes', () => {
  const grant = { amount: '10', currency: 'USD' }
  let one: RunningNode
  let two: RunningNode
  beforeAll(async () => {
    ;[one, two] = await Promise.all([startTestNode({ grant }), startTestNode({ grant })])
  })
  afterAll(() => Promise.all([one.stop(), two.stop()]))

  it('moves the agent and the client to node 2 when node 1 stops', async () => {
    const agentKey = generateKeyPair()
    let readies = 0
    const agent = defineAgent({
      name: 'failover-echo',
      description: 'Echoes on whichever node it is on',
      capabilities: [{ ...echoCapability('failover.echo'), handler: echo } as AgentCapability],
    })
    await agent.connect([one.url, two.url], { key: agentKey, onReady: () => readies++ })
    const client = await Mesh.connect([one.url, two.url], { key: generateKeyPair() })
    try {
      const before = await client.submit(
        'failover.echo',
        { text: 'on one' },
        { maxPrice: '0.05', wait: 5000 },
      )
      expect(before).toMatchObject({ state: 'completed', output: { text: 'on one' } })
      expect(client.url).toBe(one.url)

      await one.stop()
      await waitUntil(() => readies === 2 && agent.connected)
      const registered = await get(`${two.url}/v1/agents/${agentKey.did}`, two.adminToken)
      expect(registered.body).toMatchObject({ card: { name: 'failover-echo' } })

      const after = await client.submit(
        'failover.echo',
        { text: 'on two' },
        { maxPrice: '0.05', wait: 5000, idempotencyKey: 'failover-1' },
      )
      expect(after).toMatchObject({ state: 'completed', output: { text: 'on two' } })
      expect(client.url).toBe(two.url)
      expect(await client.task(after.id)).toMatchObject({ id: after.id, state: 'completed' })
      expect(await client.whoami()).toMatchObject({ did: expect.any(String) })
    } finally {
      await agent.close()
      await client.close()
    }
  })
})
