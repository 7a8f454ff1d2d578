/**
 * A client that trickles its request body a byte at a time holds a socket (and a parser) open for
 * as long as it likes unless the node times the request out; long-lived connections that are not
 * slow requests (agents' WebSockets, long polls) must keep working.
 */
import { connect, type Socket } from 'node:net'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveNodeConfig, type RunningNode } from '../../src/node.js'
import { echoCapability, startAgent } from '../helpers/agents.js'
import { startTestNode } from '../helpers/test-node.js'

const REQUEST_TIMEOUT_MS = 400
const TRICKLE_INTERVAL_MS = 100

describe('slow request bodies', () => {
  let node: RunningNode
  let client: Mesh

  beforeAll(async () => {
    node = await startTestNode({
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      grant: { amount: '10', currency: 'USD' },
    })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await client.close()
    await node.stop()
  })

  /** Opens a request whose 200-byte body comes one byte per interval; resolves once it is closed. */
  function trickle(): { socket: Socket; closed: Promise<{ answer: string; bytesSent: number }> } {
    const { hostname, port } = new URL(node.url)
    const socket = connect(Number(port), hostname)
    let answer = ''
    let bytesSent = 0
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('error', () => {})
    const timer = setInterval(() => {
      if (!socket.writable) return
      socket.write(' ')
      bytesSent++
    }, TRICKLE_INTERVAL_MS)
    socket.on('connect', () =>
      socket.write(
        'POST /v1/auth/challenge HTTP/1.1\r\nHost: localhost\r\n' +
          'Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{',
      ),
    )
    const closed = new Promise<{ answer: string; bytesSent: number }>((resolve) =>
      socket.on('close', () => {
        clearInterval(timer)
        resolve({ answer, bytesSent })
      }),
    )
    return { socket, closed }
  }

  it('closes a connection whose body is trickled, while agents and long polls keep working', async () => {
    // An agent whose task finishes only once the slow request has been cut off.
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const { agent } = await startAgent(
      node.url,
      echoCapability('slow.after', '0.01', 30_000),
      async (input) => {
        await released
        return input
      },
    )
    try {
      // A long poll that outlives the request timeout: waiting for an answer is not sending slowly.
      const polled = client.submit(
        'slow.after',
        { text: 'hi' },
        { maxPrice: '0.01', timeoutMs: 30_000, wait: 20_000 },
      )

      const slow = trickle()
      const { answer, bytesSent } = await slow.closed
      expect(answer).toMatch(/^HTTP\/1\.1 408/)
      // Cut off mid-body: it never got to send the 200 bytes it announced.
      expect(bytesSent).toBeLessThan(200)

      release()
      expect((await polled).state).toBe('completed')
      // The agent's WebSocket, older than the request timeout, still carries tasks.
      expect(agent.connected).toBe(true)
      const again = await client.submit(
        'slow.after',
        { text: 'again' },
        { maxPrice: '0.01', wait: 10_000 },
      )
      expect(again.state).toBe('completed')
    } finally {
      await agent.close()
    }
  })

  it('reads the timeout from AGENTMESH_REQUEST_TIMEOUT_MS, 30 s by default', () => {
    const base = { memory: true, port: 0 }
    expect(resolveNodeConfig(base, {}).requestTimeoutMs).toBe(30_000)
    const set = resolveNodeConfig(base, { AGENTMESH_REQUEST_TIMEOUT_MS: '5000' })
    expect(set.requestTimeoutMs).toBe(5000)
    expect(() => resolveNodeConfig(base, { AGENTMESH_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(
      /AGENTMESH_REQUEST_TIMEOUT_MS/,
    )
  })
})
