import { generateKeyPair, signJws, type Capability, type KeyPair } from '@agentmesh/protocol'
import { multiaddr } from '@multiformats/multiaddr'
import { signAnnouncement } from '../src/announcement.js'
import { ANNOUNCE_TOPIC } from '../src/announcer.js'
import { createPeerNode, type PeerNode } from '../src/libp2p-node.js'
import { didOfPeer, libp2pKey } from '../src/peer-identity.js'
import { requestPeer, serveProtocol } from '../src/request-response.js'
import {
  readTaskMessage,
  signReceipt,
  TASK_PROTOCOL,
  valueHash,
  type TaskMessage,
} from '../src/task-messages.js'

/** How the lying peer answers tasks: output failing the schema, or a receipt signed by another key. */
export type Lie = 'schema' | 'wrong-key'

/**
 * A real libp2p peer on loopback that speaks the federation protocols but lies: it announces a
 * capability over gossip, then answers tasks as `lie` says. It also sends raw messages (forged
 * announcements, replays, oversized frames) the way a hostile peer would.
 */
export class LyingPeer {
  lie: Lie = 'schema'
  readonly key: KeyPair = generateKeyPair()
  #node!: PeerNode
  #timer: NodeJS.Timeout | undefined

  get did(): string {
    return this.key.did
  }

  async start(bootstrap: string[], capability: Capability): Promise<void> {
    this.#node = await createPeerNode({
      privateKey: await libp2pKey(this.key),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      refuse: () => false,
    })
    await serveProtocol(
      this.#node,
      TASK_PROTOCOL,
      1024 * 1024,
      (body, remote) => {
        const message = readTaskMessage(body, didOfPeer(remote), this.did)
        return Promise.resolve(this.#answer(message))
      },
      () => {},
    )
    const pubsub = this.#node.services.pubsub
    pubsub.subscribe(ANNOUNCE_TOPIC)
    await Promise.all(bootstrap.map((addr) => this.#node.dial(multiaddr(addr))))
    const agentKey = generateKeyPair()
    const card = signJws(
      {
        did: agentKey.did,
        name: 'liar',
        description: 'Lies',
        version: 1,
        capabilities: [capability],
      },
      agentKey,
    )
    this.#timer = setInterval(() => {
      void this.publish(this.announcement([card], this.key)).catch(() => {})
    }, 100)
  }

  /** An announcement of `cards` from this peer, signed with `signer` (another key: a forgery). */
  announcement(cards: string[], signer: KeyPair): string {
    const now = Date.now()
    const addrs = this.#node.getMultiaddrs().map(String)
    return signAnnouncement(
      { v: 1, node: this.did, seq: now, issuedAtMs: now, ttlMs: 2000, cards, addrs },
      signer,
    )
  }

  publish(jws: string): Promise<unknown> {
    return this.#node.services.pubsub.publish(ANNOUNCE_TOPIC, new TextEncoder().encode(jws))
  }

  /** Sends one request on a protocol to a peer at `addr`, as the federation does. */
  async request(addr: string, protocol: string, body: unknown): Promise<unknown> {
    const connection = await this.#node.dial(multiaddr(addr))
    return requestPeer(this.#node, connection.remotePeer, protocol, body, {
      signal: AbortSignal.timeout(10_000),
      maxBytes: 1024 * 1024,
    })
  }

  #answer(message: TaskMessage): { output: unknown; receipt: string } {
    const output = this.lie === 'schema' ? { words: 3 } : message.input
    const signer = this.lie === 'wrong-key' ? generateKeyPair() : this.key
    const now = Date.now()
    const receipt = {
      v: 1 as const,
      requestId: message.id,
      taskId: message.taskId,
      remoteTaskId: `lie-${message.id}`,
      issuer: this.did,
      recipient: message.from,
      capabilityId: message.capabilityId,
      agentId: message.agentId ?? this.did,
      inputHash: valueHash(message.input),
      outputHash: valueHash(output),
      price: message.maxPrice,
      currency: message.currency,
      startedAtMs: now,
      endedAtMs: now,
    }
    return { output, receipt: signReceipt(receipt, signer) }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#node?.stop()
  }
}
