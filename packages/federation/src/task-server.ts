import { formatAmount, MeshError, parseAmount, type KeyPair } from '@agentmesh/protocol'
import type { Stream } from '@libp2p/interface'
import type { FederationHost } from 'agentmesh/internal'
import type { Clearing } from './clearing.js'
import type { PeerBook } from './peer-book.js'
import {
  readTaskMessage,
  signReceipt,
  valueHash,
  type Receipt,
  type TaskAnswer,
} from './task-messages.js'

const WINDOW_MS = 60_000
const MAX_SEEN = 100_000

/**
 * Runs peers' tasks here: checks the sender may (trust, signature, replay, credit), then submits
 * the task as the sender's node principal to one of this node's own providers, waits for it within
 * its deadline (a stream the sender breaks off cancels it), and answers output and signed receipt.
 */
export class TaskServer {
  readonly #host: FederationHost
  readonly #key: KeyPair
  readonly #peers: PeerBook
  readonly #clearing: Clearing
  /** Message ids seen, with when they may be forgotten (past the time window). */
  readonly #seen = new Map<string, number>()

  constructor(host: FederationHost, peers: PeerBook, clearing: Clearing) {
    this.#host = host
    this.#key = host.key
    this.#peers = peers
    this.#clearing = clearing
  }

  async handle(body: unknown, senderDid: string, stream: Stream): Promise<TaskAnswer> {
    if (!this.#peers.allowed(senderDid)) {
      throw new MeshError('FEDERATION_PEER_REFUSED', `Peer "${senderDid}" may not send tasks here`)
    }
    const message = readTaskMessage(body, senderDid, this.#key.did)
    const now = this.#host.clock.now()
    this.#forget(now)
    if (Math.abs(message.sentAtMs - now) > WINDOW_MS) {
      throw new MeshError('FEDERATION_REPLAY', `Task message "${message.id}" is outside its window`)
    }
    if (this.#seen.has(message.id)) {
      throw new MeshError('FEDERATION_REPLAY', `Task message "${message.id}" was seen before`)
    }
    if (this.#seen.size >= MAX_SEEN) {
      throw new MeshError('RATE_LIMITED', 'Too many peer tasks in the last minute')
    }
    this.#seen.set(message.id, message.sentAtMs + 2 * WINDOW_MS)
    const maxPriceMicros = parseAmount(message.maxPrice)
    if (message.currency !== this.#clearing.currency) {
      throw new MeshError('INVALID_INPUT', `Currency "${message.currency}" is not cleared here`)
    }
    await this.#clearing.checkIncoming(senderDid, maxPriceMicros)
    const { localDirectory, tasks } = this.#host
    const local = await localDirectory.candidates({
      capabilityId: message.capabilityId,
      maxPriceMicros,
      currency: message.currency,
      limit: 8,
    })
    const chosen = local.find((c) => c.agentId === message.agentId) ?? local[0]
    if (!chosen) {
      throw new MeshError(
        'NO_PROVIDER',
        `No provider of "${message.capabilityId}" is online here within ${message.maxPrice}`,
      )
    }
    const caller = { did: senderDid, roles: ['client' as const] }
    const startedAtMs = now
    const { task } = await tasks.submit(caller, {
      capability: message.capabilityId,
      agentId: chosen.agentId,
      input: message.input,
      maxPriceMicros,
      currency: message.currency,
      timeoutMs: Math.max(1, message.deadlineAtMs - now),
      idempotencyKey: `federation:${message.id}`,
    })
    const cancel = () => {
      void tasks.cancel(caller, task.id).catch(() => {})
    }
    stream.addEventListener('close', cancel)
    const done = await tasks.waitFor(task.id, Math.max(1, message.deadlineAtMs - now + 1000))
    stream.removeEventListener('close', cancel)
    if (done.state !== 'completed') {
      throw done.error
        ? MeshError.fromWire(done.error)
        : new MeshError('TIMEOUT', `Task "${task.id}" ended ${done.state}`)
    }
    const receipt: Receipt = {
      v: 1,
      requestId: message.id,
      taskId: message.taskId,
      remoteTaskId: task.id,
      issuer: this.#key.did,
      recipient: senderDid,
      capabilityId: message.capabilityId,
      agentId: done.providerId ?? chosen.agentId,
      inputHash: valueHash(message.input),
      outputHash: valueHash(done.output),
      price: formatAmount(done.settlement.paidMicros),
      currency: message.currency,
      startedAtMs,
      endedAtMs: this.#host.clock.now(),
    }
    return { output: done.output, receipt: signReceipt(receipt, this.#key) }
  }

  #forget(nowMs: number): void {
    for (const [id, untilMs] of this.#seen) {
      if (untilMs > nowMs) break
      this.#seen.delete(id)
    }
  }
}
