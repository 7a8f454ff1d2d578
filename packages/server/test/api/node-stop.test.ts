import { Writable } from 'node:stream'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, describe, expect, it } from 'vitest'
import { echo, echoCapability, hang, startAgent } from '../helpers/agents.js'
import { startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

/** A pino destination that keeps every line, parsed. */
function logLines() {
  const lines: { level: number; msg: string; err?: { message: string } }[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) lines.push(JSON.parse(line) as (typeof lines)[number])
      }
      done()
    },
  })
  return { lines, destination }
}

describe('stopping a node with agents connected', () => {
  const started: { close: () => Promise<void> }[] = []
  afterAll(() => Promise.all(started.map((s) => s.close())))

  it('logs no errors, while agents are connected, reconnecting and working', async () => {
    const { lines, destination } = logLines()
    const node = await startTestNode({
      logLevel: 'debug',
      logDestination: destination,
      grant: { amount: '100', currency: 'USD' },
    })
    const agents = await Promise.all([
      startAgent(node.url, echoCapability('stop.echo'), echo, { reconnect: true }),
      startAgent(node.url, echoCapability('stop.echo'), echo),
      startAgent(node.url, echoCapability('stop.hang', '0.01', 20_000), hang),
    ])
    started.push(...agents.map((a) => a.agent))
    const client = await Mesh.connect(node.url, { key: generateKeyPair() })
    started.push(client)
    await client.submit('stop.echo', { text: 'x' }, { maxPrice: '0.05', wait: 10_000 })
    // One task still running on an agent when the node stops.
    const running = await client.submit('stop.hang', { text: 'x' }, { maxPrice: '0.05' })
    await waitUntil(async () => (await client.task(running.id)).state === 'running')

    await node.stop()
    // Every socket has closed on the node's side too, and what presence heard of it is recorded.
    const sockets = node.app.websocketServer.clients
    await waitUntil(() => sockets.size === 0, { what: 'the sockets to close' })
    await node.registry.flush()

    const errors = lines.filter((l) => l.level >= 50)
    expect(errors.map((l) => `${l.msg}: ${l.err?.message ?? ''}`)).toEqual([])
    // The log was captured at all: the node logged its requests.
    expect(lines.length).toBeGreaterThan(0)
  })
})
