import type { AuditEvent } from '../ports/audit-sink.js'

/** An audit entry as stored: the hashed fields plus its leaf hash and chain hash (hex). */
export interface AuditRecord {
  seq: number
  timeMs: number
  actor: string
  action: string
  resource: string
  result: AuditEvent['result']
  /** Parsed details; a stored value that is not JSON comes back as its raw text. */
  details: unknown
  /** The canonical JSON of `details`, when the writer has it at hand. */
  detailsText?: string
  leafHash: string
  chainHash: string
}

/** A signed tree head as stored, keyed by signer and size. */
export interface AuditHeadRecord {
  signer: string
  size: number
  root: string
  timeMs: number
  /** Compact JWS over the canonical JSON `{size, root, time}`. */
  jws: string
}

/** Filters for reading the log; every field narrows, `afterSeq` pages. */
export interface AuditQuery {
  actor?: string
  action?: string
  fromMs?: number
  toMs?: number
  afterSeq?: number
  limit: number
}

/** The audit log's storage: append-only entries and signed tree heads. */
export interface AuditStore {
  /**
   * Appends `count` entries as the new tail, atomically: `build` receives the committed tail (seq
   * 0 and the zero hash for an empty log) and returns the records to store, with seqs from
   * `tail.seq + 1` on. Appends from several processes on one database form one chain.
   */
  append(
    count: number,
    build: (tail: { seq: number; chainHash: string }) => AuditRecord[],
  ): Promise<AuditRecord[]>
  /** The number of committed entries (the tail's seq). */
  size(): Promise<number>
  list(query: AuditQuery): Promise<AuditRecord[]>
  get(seq: number): Promise<AuditRecord | undefined>
  /** Leaf hashes of entries with `fromSeq <= seq < toSeq`, in seq order. */
  leafHashes(fromSeq: number, toSeq: number): Promise<string[]>
  /** Stores a head; a second head of the same signer and size is ignored. */
  putHead(head: AuditHeadRecord): Promise<void>
  /** The largest head this signer has signed. */
  latestHead(signer: string): Promise<AuditHeadRecord | undefined>
}
