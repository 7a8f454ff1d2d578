/**
 * An audit entry as the node serves it (`GET /v1/audit`). The seven fields from `seq` to `details`
 * are what is hashed, as canonical JSON; `hash` and `leafHash` are what the node stored.
 */
export interface AuditEntry {
  seq: number
  time: string
  actor: string
  action: string
  resource: string
  result: 'ok' | 'denied' | 'error'
  details: unknown
  /** Chain hash `SHA-256(previous chain hash ‖ canonical JSON of the entry)`, hex. */
  hash: string
  /** RFC 9162 leaf hash `SHA-256(0x00 ‖ canonical JSON of the entry)`, hex. */
  leafHash: string
}

/** A page of audit entries; pass `nextCursor` back as `cursor` for the next one. */
export interface AuditPage {
  entries: AuditEntry[]
  nextCursor: string | null
}

/** A tree head signed by the node: a JWS over the canonical JSON `{size, root, time}`. */
export interface AuditTreeHead {
  size: number
  root: string
  time: string
  signer: string
  signature: string
}

/** RFC 9162 inclusion proof of entry `seq` (leaf `seq - 1`) in the tree of `size` entries. */
export interface AuditInclusionProof {
  seq: number
  size: number
  leafIndex: number
  leafHash: string
  path: string[]
}

/** RFC 9162 consistency proof from the tree of `from` entries to the tree of `to` entries. */
export interface AuditConsistencyProof {
  from: number
  to: number
  path: string[]
}
