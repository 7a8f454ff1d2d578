import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startA2AEchoServer, type A2AEchoServer } from '../../../../bench/src/a2a-echo-server.js'
import type { RunningNode } from '../../../src/node.js'
import { post, startTestNode } from '../../helpers/test-node.js'

/** An A2A agent served by the SDK's own server: `text.upper` upper-cases `{text}`. */
const startA2AAgent = (): Promise<A2AEchoServer> =>
  startA2AEchoServer({
    id: 'text.upper',
    name: 'Upper',
    description: 'Upper-cases text',
    tags: ['Text'],
    transform: (value) => ({ text: String((value as { text?: string }).text ?? '').toUpperCase() }),
  })

describe('importing an A2A agent served by @a2a-js/sdk', () => {
  let node: RunningNode
  let external: Awaited<ReturnType<typeof startA2AAgent>>
  let admin: Mesh

  beforeAll(async () => {
    node = await startTestNode({
      grant: { amount: '100', currency: 'USD' },
      outbound: { allowPrivate: true, timeoutMs: 5000, maxResponseBytes: 1024 * 1024 },
      // Card checks every second keep the agent online; a missed one takes it offline soon.
      presenceTtlMs: 2000,
    })
    external = await startA2AAgent()
    admin = await Mesh.connect(node.url, { token: node.adminToken })
  })
  afterAll(async () => {
    await admin.close()
    await node.stop()
    await external.close()
  })

  it('registers the agent and routes a paid task to it over HTTP', async () => {
    const imported = await admin.request<{ agentId: string }>('POST', '/v1/agents/import', {
      cardUrl: external.cardUrl,
      price: { amount: '0.05', currency: 'USD' },
    })
    expect(imported.agentId).toMatch(/^did:key:z/)
    const found = await admin.search('upper')
    expect(found.results.map((r) => r.agentId)).toContain(imported.agentId)

    const client = await Mesh.connect(node.url, { key: generateKeyPair() })
    try {
      const task = await client.submit(
        'text.upper',
        { text: 'hello' },
        { maxPrice: '0.10', wait: 10_000 },
      )
      expect(task.state).toBe('completed')
      expect(task.output).toEqual({ text: 'HELLO' })
      expect(task.providerId).toBe(imported.agentId)
      expect(task.settlement).toMatchObject({ state: 'posted', paid: { amount: '0.05' } })
    } finally {
      await client.close()
    }
  })

  it('takes the imported agent offline once its card URL stops answering', async () => {
    const second = await startA2AAgent()
    const { agentId } = await admin.request<{ agentId: string }>('POST', '/v1/agents/import', {
      cardUrl: second.cardUrl,
    })
    expect(node.registry.presence.isOnline(agentId)).toBe(true)
    const offline = new Promise<void>((resolve) => {
      const stop = node.bus.subscribe('registry.changed', (message) => {
        const event = message.body as { type: string; agentId: string }
        if (event.type === 'offline' && event.agentId === agentId) {
          stop()
          resolve()
        }
      })
    })
    await second.close()
    await offline
    expect(node.registry.presence.isOnline(agentId)).toBe(false)
  })

  it.each([
    'http://127.0.0.1:9/.well-known/agent-card.json',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/.well-known/agent-card.json',
  ])('refuses to import %s by default', async (cardUrl) => {
    const strict = await startTestNode()
    try {
      const answer = await post(
        `${strict.url}/v1/agents/import`,
        { cardUrl },
        { authorization: `Bearer ${strict.adminToken}` },
      )
      expect(answer.status).toBe(403)
      expect(answer.body.error.code).toBe('ADDRESS_NOT_ALLOWED')
    } finally {
      await strict.stop()
    }
  })
})
