import type { Cosignature } from '@agentmesh/protocol'

/** What a witness remembers of one origin: the last tree head it cosigned for it. */
export interface WitnessRecord {
  origin: string
  size: number
  root: string
  timeMs: number
}

/**
 * Storage of both sides of witnessing: the witness's last cosigned head per origin (what keeps a
 * restarted witness from being talked into a second history) and, on the origin's side, the
 * cosignatures its heads collected.
 */
export interface WitnessStore {
  /** The last head cosigned for `origin`, if any. */
  lastCosigned(origin: string): Promise<WitnessRecord | undefined>
  /**
   * Moves `next.origin`'s record from `previous` (undefined: none yet) to `next`, only if it is
   * still `previous`; false when another writer moved it first (nothing written then).
   */
  advance(previous: WitnessRecord | undefined, next: WitnessRecord): Promise<boolean>
  /** Keeps a cosignature of one of this node's heads; a second one by the same witness is ignored. */
  putCosignature(cosignature: Cosignature): Promise<void>
  /** The cosignatures of `origin`'s head of `size`, oldest first. */
  cosignatures(origin: string, size: number): Promise<Cosignature[]>
}
