import type { Cosignature, CosignRequest } from '@agentmesh/protocol'

/**
 * A witness this node asks to cosign its tree heads, however it is reached (HTTP today, a libp2p
 * stream later). `requestCosignature` answers the witness's cosignature or throws the witness's
 * refusal as a `MeshError` (`WITNESS_SIZE_MISMATCH` carries the witness's size in `details.size`).
 */
export interface WitnessPeer {
  /** Names the peer in logs and in the node's bookkeeping (a URL, a peer id). */
  readonly id: string
  requestCosignature(request: CosignRequest): Promise<Cosignature>
}
