import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh, type RegistryChange } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentCard } from '../helpers/agent-cards.js'
import { startTestNode } from '../helpers/test-node.js'

async function take(changes: AsyncGenerator<RegistryChange>, n: number) {
  const taken: RegistryChange[] = []
  for await (const change of changes) {
    taken.push(change)
    if (taken.length === n) break
  }
  return taken
}

describe('registry watch (SSE)', () => {
  let node: RunningNode
  let watcher: Mesh

  beforeAll(async () => {
    node = await startTestNode()
    watcher = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await watcher.close()
    await node.stop()
  })

  it('streams registered, online, updated, offline and removed events, and resumes after an id', async () => {
    const since = await node.registry.lastEventSeq()
    const key = generateKeyPair()
    const agent = await Mesh.connect(node.url, { key, roles: ['agent'] })
    const live = take(watcher.watch({ lastEventId: since }), 5)
    const card = agentCard(key)
    await agent.registerAgent(card, key)
    await agent.heartbeat(key.did)
    await node.registry.flush()
    await agent.updateAgent({ ...card, version: 2 }, key)
    node.registry.presence.disconnected(key.did) // no connection: nothing changes
    node.registry.presence.connected(key.did)
    node.registry.presence.disconnected(key.did)
    await node.registry.flush()
    await agent.removeAgent(key.did)
    const changes = await live
    expect(changes.map((c) => c.type)).toEqual([
      'registered',
      'online',
      'updated',
      'offline',
      'removed',
    ])
    expect(changes.every((c) => c.agentId === key.did)).toBe(true)
    expect(changes[2]?.data).toEqual({ version: 2, name: 'sentiment' })

    const resumed = await take(watcher.watch({ lastEventId: changes[2]!.id }), 2)
    expect(resumed.map((c) => c.id)).toEqual([changes[3]!.id, changes[4]!.id])
    await agent.close()
  })

  it('honours the Last-Event-ID header and refuses an unauthenticated watcher', async () => {
    const key = generateKeyPair()
    const agent = await Mesh.connect(node.url, { key, roles: ['agent'] })
    const since = await node.registry.lastEventSeq()
    await agent.registerAgent(agentCard(key), key)
    const controller = new AbortController()
    const response = await fetch(`${node.url}/v1/agents/watch`, {
      headers: { authorization: `Bearer ${watcher.token}`, 'last-event-id': String(since) },
      signal: controller.signal,
    })
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = response.body!.getReader()
    let text = ''
    while (!text.includes('event: registered')) {
      text += new TextDecoder().decode((await reader.read()).value)
    }
    expect(text).toContain(`id: ${since + 1}\nevent: registered\ndata: {"agentId":"${key.did}"`)
    controller.abort()
    expect((await fetch(`${node.url}/v1/agents/watch`)).status).toBe(401)
    await agent.close()
  })
})
