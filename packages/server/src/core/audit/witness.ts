import {
  EMPTY_ROOT,
  fromHex,
  MeshError,
  signCosignature,
  verifyConsistency,
  verifyTreeHead,
  type Cosignature,
  type CosignRequest,
  type KeyPair,
} from '@agentmesh/protocol'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import { isoTime } from './audit-entry.js'
import type { WitnessRecord, WitnessStore } from './witness-store.js'

/** Longest consistency proof a tree of 2^53 leaves can need, with room to spare. */
const MAX_PROOF_HASHES = 128

function proofHashes(proof: unknown): Uint8Array[] | undefined {
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_HASHES) return undefined
  try {
    return (proof as unknown[]).map((hash) => {
      const bytes = fromHex(String(hash))
      if (bytes.length !== 32) throw new Error('not a SHA-256 hash')
      return bytes
    })
  } catch {
    return undefined
  }
}

/**
 * The witness: cosigns other nodes' audit tree heads, but only a head that extends, by an RFC 9162
 * consistency proof, the last head it cosigned for the same node. So a node cannot show one
 * history to some and another to others with both cosigned by this witness. The last cosigned
 * head per origin is stored, so a restart forgets nothing; cosignings of one origin take turns.
 */
export class Witness {
  readonly #store: WitnessStore
  readonly #clock: Clock
  readonly #key: KeyPair
  readonly #audit: AuditSink
  readonly #turns = new Map<string, Promise<unknown>>()

  constructor(deps: { store: WitnessStore; clock: Clock; key: KeyPair; audit: AuditSink }) {
    this.#store = deps.store
    this.#audit = deps.audit
    this.#clock = deps.clock
    this.#key = deps.key
  }

  /** This witness's DID: the key its cosignatures verify with. */
  get did(): string {
    return this.#key.did
  }

  /**
   * Checks and cosigns `request` for `callerDid`, who must be the head's signer (the origin node,
   * as authenticated by the transport). Refuses with `WITNESS_STALE`, `WITNESS_CONFLICT`,
   * `WITNESS_SIZE_MISMATCH`, `WITNESS_INCONSISTENT`, `SIGNATURE_INVALID` or `FORBIDDEN`.
   */
  cosign(request: CosignRequest, callerDid: string): Promise<Cosignature> {
    const origin = request.head.signer
    const previous = this.#turns.get(origin) ?? Promise.resolve()
    const turn = previous.catch(() => undefined).then(() => this.#cosignAudited(request, callerDid))
    this.#turns.set(origin, turn)
    void turn
      .finally(() => {
        if (this.#turns.get(origin) === turn) this.#turns.delete(origin)
      })
      .catch(() => undefined)
    return turn
  }

  async #cosignAudited(request: CosignRequest, callerDid: string): Promise<Cosignature> {
    const { size, root, signer } = request.head
    const event = { actor: callerDid, action: 'witness.cosign', resource: `origin:${signer}` }
    try {
      const cosignature = await this.#cosign(request, callerDid)
      await this.#audit.record({ ...event, result: 'ok', details: { size, root } })
      return cosignature
    } catch (error) {
      const code = error instanceof MeshError ? error.code : 'INTERNAL'
      await this.#audit.record({ ...event, result: 'denied', details: { size, root, code } })
      throw error
    }
  }

  async #cosign(request: CosignRequest, callerDid: string): Promise<Cosignature> {
    const { head, oldSize } = request
    if (callerDid !== head.signer) {
      throw new MeshError('FORBIDDEN', `Only "${head.signer}" asks to cosign its own tree heads`)
    }
    if (head.signer === this.#key.did) {
      throw new MeshError('INVALID_INPUT', 'A witness does not cosign its own tree heads')
    }
    verifyTreeHead(head)
    const last = await this.#store.lastCosigned(head.signer)
    const lastSize = last?.size ?? 0
    const details = { size: lastSize }
    if (head.size < lastSize) {
      throw new MeshError(
        'WITNESS_STALE',
        `Tree head of size ${head.size} is older than size ${lastSize} cosigned before`,
        { details },
      )
    }
    if (last && head.size === lastSize && head.root !== last.root) {
      throw new MeshError(
        'WITNESS_CONFLICT',
        `Tree head of size ${head.size} has root "${head.root}", but "${last.root}" was cosigned at that size`,
        { details },
      )
    }
    if (oldSize !== lastSize) {
      throw new MeshError(
        'WITNESS_SIZE_MISMATCH',
        `Consistency proof is from size ${oldSize}; this witness last cosigned size ${lastSize}`,
        { details },
      )
    }
    const proof = proofHashes(request.proof)
    const oldRoot = last ? fromHex(last.root) : EMPTY_ROOT
    if (!proof || !verifyConsistency(lastSize, head.size, oldRoot, fromHex(head.root), proof)) {
      throw new MeshError(
        'WITNESS_INCONSISTENT',
        `Tree head of size ${head.size} is not proven to extend the head of size ${lastSize} cosigned before`,
        { details },
      )
    }
    const nowMs = this.#clock.now()
    if (head.size > lastSize || !last) {
      const next: WitnessRecord = {
        origin: head.signer,
        size: head.size,
        root: head.root,
        timeMs: nowMs,
      }
      if (!(await this.#store.advance(last, next))) {
        const moved = (await this.#store.lastCosigned(head.signer))?.size ?? 0
        throw new MeshError(
          'WITNESS_SIZE_MISMATCH',
          `Another cosigning of "${head.signer}" moved this witness to size ${moved} meanwhile`,
          { details: { size: moved } },
        )
      }
    }
    return signCosignature(
      { origin: head.signer, size: head.size, root: head.root, time: isoTime(nowMs) },
      this.#key,
    )
  }
}
