import { MeshError } from '@agentmesh/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerNode } from './libp2p-node.js'
import type { PeerBook } from './peer-book.js'
import { didOfPeer } from './peer-identity.js'
import { requestPeer, serveProtocol } from './request-response.js'

/** The stream protocol that carries a witness request to a peer and its answer back. */
export const WITNESS_PROTOCOL = '/agentmesh/witness/1'

/** Largest witness request or answer: tree heads and consistency proofs are small. */
export const WITNESS_MAX_BYTES = 256 * 1024

/** Answers a peer's witness request; `fromPeerDid` is the DID its connection proved. */
export type WitnessHandler = (request: unknown, fromPeerDid: string) => Promise<unknown>

/**
 * The transport of witness cosigning (its logic lives elsewhere and plugs in here): one JSON
 * request each way over `/agentmesh/witness/1`, size-capped, from and to allowed peers only.
 * Until a handler is set, requests are refused with FEATURE_UNAVAILABLE.
 */
export class WitnessTransport {
  readonly #libp2p: PeerNode
  readonly #peers: PeerBook
  #handler: WitnessHandler | undefined

  constructor(libp2p: PeerNode, peers: PeerBook) {
    this.#libp2p = libp2p
    this.#peers = peers
  }

  /** Starts answering peers' witness requests. */
  serve(onError: (error: unknown) => void): Promise<void> {
    return serveProtocol(
      this.#libp2p,
      WITNESS_PROTOCOL,
      WITNESS_MAX_BYTES,
      (request, remote) => {
        const did = didOfPeer(remote)
        if (!this.#peers.allowed(did)) {
          throw new MeshError('FEDERATION_PEER_REFUSED', `Peer "${did}" may not ask for witness`)
        }
        if (!this.#handler) {
          throw new MeshError('FEATURE_UNAVAILABLE', 'This node does not witness')
        }
        return this.#handler(request, did)
      },
      onError,
    )
  }

  /** Sets (or replaces) the local handler of peers' witness requests. */
  handle(handler: WitnessHandler): void {
    this.#handler = handler
  }

  /** Sends a request to a peer (its peer id) and answers its answer; the peer's refusal throws. */
  request(peerId: string, request: unknown, timeoutMs = 10_000): Promise<unknown> {
    const peer = peerIdFromString(peerId)
    if (!this.#peers.allowed(didOfPeer(peer))) {
      return Promise.reject(
        new MeshError('FEDERATION_PEER_REFUSED', `Peer "${peerId}" is not allowed here`),
      )
    }
    return requestPeer(this.#libp2p, peer, WITNESS_PROTOCOL, request, {
      signal: AbortSignal.timeout(timeoutMs),
      maxBytes: WITNESS_MAX_BYTES,
    })
  }
}
