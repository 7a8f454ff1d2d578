import { MeshError, type Cosignature, type CosignRequest, type KeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import type { WitnessPeer } from '../../core/ports/witness-peer.js'

const SESSION_ERRORS = new Set(['UNAUTHENTICATED', 'TOKEN_INVALID', 'TOKEN_EXPIRED'])

/**
 * A witness reached over its HTTP API: this node signs in there with its own node key (so the
 * witness knows the caller is the head's signer) and posts to `/v1/audit/cosign`. A session
 * that expired or was revoked is opened again once per request.
 */
export class HttpWitnessPeer implements WitnessPeer {
  readonly id: string
  readonly #key: KeyPair
  readonly #requestTimeoutMs: number
  #mesh: Promise<Mesh> | undefined

  constructor(url: string, key: KeyPair, options: { requestTimeoutMs: number }) {
    this.id = url
    this.#key = key
    this.#requestTimeoutMs = options.requestTimeoutMs
  }

  async requestCosignature(request: CosignRequest): Promise<Cosignature> {
    for (let attempt = 0; ; attempt++) {
      const mesh = await this.#session()
      try {
        return await mesh.cosign(request)
      } catch (error) {
        const expired = error instanceof MeshError && SESSION_ERRORS.has(error.code)
        if (!expired || attempt > 0) throw error
        this.#mesh = undefined
      }
    }
  }

  /** Ends the session at the witness, if one is open. */
  async close(): Promise<void> {
    const mesh = this.#mesh
    this.#mesh = undefined
    await (await mesh?.catch(() => undefined))?.close()
  }

  #session(): Promise<Mesh> {
    const opening = (this.#mesh ??= Mesh.connect(this.id, {
      key: this.#key,
      requestTimeoutMs: this.#requestTimeoutMs,
    }))
    opening.catch(() => {
      if (this.#mesh === opening) this.#mesh = undefined
    })
    return opening
  }
}
