import { MeshError, parseAmount, formatAmount } from '@agentmesh/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Dispatch, DispatchEvent, FederationHost, TaskTransport } from 'agentmesh/internal'
import type { Clearing } from './clearing.js'
import type { RemoteOffer } from './federated-index.js'
import type { PeerNode } from './libp2p-node.js'
import type { PeerBook } from './peer-book.js'
import { requestPeer } from './request-response.js'
import {
  checkReceipt,
  signTaskMessage,
  TASK_PROTOCOL,
  type TaskAnswer,
  type TaskMessage,
} from './task-messages.js'

/**
 * Carries a task to the peer node a candidate names (its agent id is the peer's DID): checks the
 * credit this node gives itself with the peer, sends the signed message, then trusts the answer
 * only once the receipt verifies and the output fits the capability's schema. A peer that fails
 * either gets a strike; past the threshold it is disconnected.
 */
export class PeerTransport implements TaskTransport {
  readonly #host: FederationHost
  readonly #libp2p: PeerNode
  readonly #peers: PeerBook
  readonly #clearing: Clearing
  readonly #offer: (peerDid: string, capabilityId: string) => RemoteOffer | undefined
  readonly #disconnect: (peerDid: string) => void

  constructor(deps: {
    host: FederationHost
    libp2p: PeerNode
    peers: PeerBook
    clearing: Clearing
    offer: (peerDid: string, capabilityId: string) => RemoteOffer | undefined
    disconnect: (peerDid: string) => void
  }) {
    this.#host = deps.host
    this.#libp2p = deps.libp2p
    this.#peers = deps.peers
    this.#clearing = deps.clearing
    this.#offer = deps.offer
    this.#disconnect = deps.disconnect
  }

  async dispatch(
    peerDid: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown; units?: number }> {
    const host = this.#host
    const offer = this.#offer(peerDid, dispatch.capabilityId)
    if (!offer || !this.#peers.allowed(peerDid)) {
      throw new MeshError('PROVIDER_DISCONNECTED', `Peer "${peerDid}" no longer offers this`)
    }
    const priceMicros = parseAmount(offer.capability.pricing.amount)
    await this.#clearing.checkOutgoing(peerDid, priceMicros)
    const now = host.clock.now()
    const message: TaskMessage = {
      v: 1,
      id: `${dispatch.taskId}:${dispatch.attempt}`,
      taskId: dispatch.taskId,
      from: host.key.did,
      to: peerDid,
      capabilityId: dispatch.capabilityId,
      agentId: offer.agentId,
      input: dispatch.input,
      maxPrice: formatAmount(priceMicros),
      currency: dispatch.currency,
      deadlineAtMs: dispatch.deadlineAtMs,
      sentAtMs: now,
    }
    options.onEvent({ type: 'accepted' })
    const signal = AbortSignal.any([
      options.signal,
      AbortSignal.timeout(Math.max(1, dispatch.deadlineAtMs - now)),
    ])
    let answer: TaskAnswer
    try {
      answer = (await requestPeer(
        this.#libp2p,
        peerIdFromString(offer.peerId),
        TASK_PROTOCOL,
        signTaskMessage(message, host.key),
        { signal, maxBytes: host.config.maxMessageBytes },
      )) as TaskAnswer
    } catch (error) {
      this.#peers.failed(peerDid)
      if (options.signal.aborted) throw error
      if (signal.aborted) throw new MeshError('TIMEOUT', `Peer "${peerDid}" did not answer in time`)
      throw error
    }
    try {
      const { receipt, jws } = checkReceipt(answer, message, peerDid)
      if (parseAmount(receipt.price) > priceMicros) {
        throw new MeshError(
          'FEDERATION_RECEIPT_INVALID',
          `Receipt from "${peerDid}" charges more than agreed`,
        )
      }
      const problem = host.schemas.validationProblem(offer.capability.output, answer.output)
      if (problem) {
        this.#strike(peerDid, 'schemaFailure')
        throw new MeshError(
          'INVALID_OUTPUT',
          `Output from peer "${peerDid}" fails the schema at "${problem.path}": ${problem.message}`,
        )
      }
      this.#peers.succeeded(peerDid, host.clock.now() - now)
      await host.audit.record({
        actor: peerDid,
        action: 'federation.receipt',
        resource: `task:${dispatch.taskId}`,
        result: 'ok',
        details: { receipt: jws, price: receipt.price, remoteTaskId: receipt.remoteTaskId },
      })
      return { output: answer.output }
    } catch (error) {
      if (error instanceof MeshError && error.code === 'FEDERATION_RECEIPT_INVALID') {
        this.#strike(peerDid, 'badReceipt')
      }
      throw error
    }
  }

  #strike(peerDid: string, kind: 'badReceipt' | 'schemaFailure'): void {
    this.#host.logger.warn({ peer: peerDid, kind }, 'federation peer struck')
    if (this.#peers.strike(peerDid, kind)) this.#disconnect(peerDid)
  }
}
