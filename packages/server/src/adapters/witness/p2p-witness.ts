import {
  cosignRequestSchema,
  MeshError,
  type Cosignature,
  type CosignRequest,
} from '@agentmesh/protocol'
import type { Witness } from '../../core/audit/witness.js'
import type { SchemaChecker } from '../../core/ports/schema-checker.js'
import type { WitnessPeer } from '../../core/ports/witness-peer.js'
import type { Federation } from '../../node/federation-host.js'

/**
 * A witness reached over the federation's libp2p stream `/agentmesh/witness/1`, named by its
 * node DID (`AGENTMESH_WITNESSES=did:key:…`). The connection proves who asks, so no session is
 * needed; the answer is verified by the cosigner like any other. Until the node federates, asking
 * fails with FEDERATION_DISABLED and the cosigner tries again at its next turn.
 */
export class P2pWitnessPeer implements WitnessPeer {
  readonly id: string
  readonly #federation: () => Federation | undefined

  constructor(did: string, federation: () => Federation | undefined) {
    this.id = did
    this.#federation = federation
  }

  async requestCosignature(request: CosignRequest): Promise<Cosignature> {
    const federation = this.#federation()
    if (!federation) {
      throw new MeshError('FEDERATION_DISABLED', 'This node does not federate (yet)')
    }
    return (await federation.requestWitness(this.id, request)) as Cosignature
  }
}

/**
 * The witness side on the same stream: a peer's request, checked against the cosign request's
 * schema (its limits) before the witness reads it, with the peer's proven DID as the caller.
 */
export function p2pWitnessHandler(
  witness: Witness,
  schemas: SchemaChecker,
): (request: unknown, fromPeerDid: string) => Promise<Cosignature> {
  return (request, fromPeerDid) => {
    const problem = schemas.validationProblem(cosignRequestSchema, request)
    if (problem) {
      return Promise.reject(
        new MeshError('INVALID_INPUT', `Cosign request ${problem.path}: ${problem.message}`),
      )
    }
    return witness.cosign(request as CosignRequest, fromPeerDid)
  }
}
