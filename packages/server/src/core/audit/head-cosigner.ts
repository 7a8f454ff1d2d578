import {
  MeshError,
  verifyCosignature,
  type AuditTreeHead,
  type CosignedTreeHead,
} from '@agentmesh/protocol'
import type { Logger } from '../ports/logger.js'
import type { WitnessPeer } from '../ports/witness-peer.js'
import type { WitnessStore } from './witness-store.js'

/** What the cosigner reads of the node's own audit log. */
export interface SignedHeads {
  latestHead(): Promise<AuditTreeHead>
  consistencyProof(from: number, to?: number): Promise<{ path: string[] }>
}

/**
 * The origin's side of witnessing: asks each configured witness to cosign the node's latest tree
 * head, with the consistency proof from the size that witness last cosigned, checks each answer
 * and keeps it. A witness that knows a size this node forgot (a restart) says so once
 * (`WITNESS_SIZE_MISMATCH`), and the request is made again from its size.
 */
export class HeadCosigner {
  readonly #peers: readonly WitnessPeer[]
  readonly #store: WitnessStore
  readonly #heads: SignedHeads
  readonly #logger: Logger
  /** Per peer id: the size of our last head it cosigned, as far as we know. */
  readonly #known = new Map<string, number>()

  constructor(deps: {
    peers: readonly WitnessPeer[]
    store: WitnessStore
    heads: SignedHeads
    logger: Logger
  }) {
    this.#peers = deps.peers
    this.#store = deps.store
    this.#heads = deps.heads
    this.#logger = deps.logger
  }

  /** The latest signed head with the cosignatures it has collected. */
  async cosignedHead(): Promise<CosignedTreeHead> {
    const head = await this.#heads.latestHead()
    return { ...head, cosignatures: await this.#store.cosignatures(head.signer, head.size) }
  }

  /**
   * Asks every witness that has not cosigned the latest head yet. A witness that fails or refuses
   * is logged and asked again next time; answers how many new cosignatures were kept.
   */
  async cosignLatest(): Promise<number> {
    if (this.#peers.length === 0) return 0
    let head: AuditTreeHead
    try {
      head = await this.#heads.latestHead()
    } catch (error) {
      if (error instanceof MeshError && error.code === 'AUDIT_HEAD_NOT_FOUND') return 0
      throw error
    }
    const results = await Promise.allSettled(this.#peers.map((peer) => this.#ask(peer, head)))
    let added = 0
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') added += result.value ? 1 : 0
      else {
        const error = result.reason as Error
        this.#logger.warn(
          { err: error, witness: this.#peers[i]!.id, size: head.size },
          'a witness did not cosign the audit tree head',
        )
      }
    })
    return added
  }

  async #ask(peer: WitnessPeer, head: AuditTreeHead): Promise<boolean> {
    if (this.#known.get(peer.id) === head.size) return false
    let oldSize = this.#known.get(peer.id) ?? 0
    for (let attempt = 0; ; attempt++) {
      if (oldSize > head.size) {
        throw new MeshError(
          'WITNESS_STALE',
          `Witness "${peer.id}" cosigned size ${oldSize}, past this node's head of size ${head.size}`,
        )
      }
      const { path } = await this.#heads.consistencyProof(oldSize, head.size)
      try {
        const cosignature = await peer.requestCosignature({ head, oldSize, proof: path })
        verifyCosignature(cosignature, head)
        await this.#store.putCosignature(cosignature)
        this.#known.set(peer.id, head.size)
        return true
      } catch (error) {
        const size = (error as MeshError).details?.size
        const mismatch = error instanceof MeshError && error.code === 'WITNESS_SIZE_MISMATCH'
        if (!mismatch || attempt > 0 || typeof size !== 'number') throw error
        oldSize = size
      }
    }
  }
}
