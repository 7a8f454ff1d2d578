import {
  authChallengeBytes,
  generateKeyPair,
  signBytes,
  signJws,
  toBase64url,
  type Capability,
  type KeyPair,
  type TaskFrame,
} from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { WebSocket } from 'ws'
import { agentCard } from './agent-cards.js'

/**
 * An agent speaking the WebSocket protocol by hand, so a test can send frames no SDK would (a
 * number JSON cannot hold, an output the SDK would refuse). `answer` turns each task frame into the
 * raw text sent back, or nothing.
 */
export interface RawAgent {
  did: string
  key: KeyPair
  socket: WebSocket
  /** Resolves once the node closes the socket, with the close code. */
  closed: Promise<number>
  close(): void
}

/** Registers a card with `capabilities` and connects a raw agent to the node at `url`. */
export async function startRawAgent(
  url: string,
  capabilities: Capability[],
  answer: (frame: TaskFrame) => string | undefined,
): Promise<RawAgent> {
  const key = generateKeyPair()
  const mesh = await Mesh.connect(url, { key, roles: ['agent'] })
  try {
    const card = signJws(agentCard(key, { capabilities }), key)
    await mesh.request('POST', '/v1/agents', { card })
  } finally {
    await mesh.close()
  }
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/agents/connect`)
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', did: key.did })))
    socket.on('error', reject)
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as {
        type: string
        node: string
        nonce: string
      }
      if (frame.type === 'challenge') {
        const signature = toBase64url(signBytes(authChallengeBytes(frame.node, frame.nonce), key))
        socket.send(JSON.stringify({ type: 'auth', signature }))
      } else if (frame.type === 'ready') {
        resolve()
      } else if (frame.type === 'task') {
        const text = answer(frame as unknown as TaskFrame)
        if (text !== undefined) socket.send(text)
      } else if (frame.type === 'error') {
        reject(new Error(JSON.stringify(frame)))
      }
    })
  })
  return { did: key.did, key, socket, closed, close: () => socket.close() }
}
