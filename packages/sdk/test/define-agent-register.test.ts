import { generateKeyPair, MeshError } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineAgent, type Agent } from '../src/index.js'
import { FakeNode, json } from './fake-node.js'

const key = generateKeyPair()

/** What the node answers to the agent's POST /v1/agents, whatever the card. */
function refuseRegistration(node: FakeNode, code: string, message: string): void {
  node.route('POST', '/v1/agents', (_request, response) =>
    json(response, 409, { error: { code, message, retryable: false } }),
  )
  node.route('PATCH', `/v1/agents/${encodeURIComponent(key.did)}`, (request, response) =>
    json(response, 200, request.body),
  )
}

describe('defineAgent registering with a node that knows it already', () => {
  let node: FakeNode
  let agent: Agent

  beforeEach(async () => {
    node = await FakeNode.start()
    agent = defineAgent({ name: 'known', description: 'Registered before', capabilities: [] })
  })
  afterEach(async () => {
    await agent.close()
    await node.close()
  })

  it.each(['AGENT_EXISTS', 'VERSION_CONFLICT', 'CONFLICT'])(
    'PATCHes its card when the registration is refused with %s',
    async (code) => {
      refuseRegistration(node, code, 'Agent is registered already: PATCH it')
      await agent.connect(node.url, { key, reconnect: false })
      const patch = await node.requests.next((r) => r.method === 'PATCH')
      expect(patch.path).toBe(`/v1/agents/${encodeURIComponent(key.did)}`)
      expect(agent.connected).toBe(true)
    },
  )

  it('decides by the code, not the message: another code is thrown, however worded', async () => {
    refuseRegistration(node, 'FORBIDDEN', 'Agent is registered already: PATCH it')
    await expect(agent.connect(node.url, { key, reconnect: false })).rejects.toBeInstanceOf(
      MeshError,
    )
    expect(node.requests.all.some((r) => r.method === 'PATCH')).toBe(false)
  })
})
