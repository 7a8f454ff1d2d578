import { leafHash, toHex, verifyJws } from '@agentmesh/protocol'
import { chainHash, entryBytes, GENESIS_CHAIN_HASH, type AuditEntryWire } from './audit-entry.js'
import type { SignedTreeHead } from './audit-log.js'
import { MerkleFrontier } from './merkle.js'

/** What verification found wrong, first problem only. `seq` names the first bad entry, if one can be named. */
export interface AuditProblem {
  seq: number | null
  reason: string
}

/** The outcome of verifying a log against a signed tree head. */
export type AuditVerdict =
  { ok: true; entries: number; headSize: number; root: string } | ({ ok: false } & AuditProblem)

/**
 * Verifies an audit log streamed entry by entry against the node's signed tree head: the head's
 * signature by `nodeDid`, every entry's seq and chain hash, and the Merkle root of the first
 * `head.size` entries. Memory stays O(log n) whatever the length of the log.
 */
export class AuditVerifier {
  readonly #head: SignedTreeHead
  readonly #frontier = new MerkleFrontier()
  #previous = GENESIS_CHAIN_HASH
  #problem: AuditProblem | undefined
  #rootChecked = false

  constructor(head: SignedTreeHead, nodeDid: string) {
    this.#head = head
    this.#problem = checkHead(head, nodeDid)
    if (!this.#problem && head.size === 0) this.#checkRoot()
  }

  /** The first problem found so far. */
  get problem(): AuditProblem | undefined {
    return this.#problem
  }

  /** Number of entries checked. */
  get count(): number {
    return this.#frontier.size
  }

  /** Checks the next entry; answers the first problem, once one is found (later entries are ignored). */
  push(entry: AuditEntryWire): AuditProblem | undefined {
    if (this.#problem) return this.#problem
    const expected = this.#frontier.size + 1
    if (entry.seq !== expected) {
      return (this.#problem = {
        seq: expected,
        reason: `entry ${expected} is missing (found seq ${String(entry.seq)} in its place)`,
      })
    }
    let bytes: Uint8Array
    try {
      bytes = entryBytes(entry)
    } catch {
      return (this.#problem = { seq: expected, reason: `entry ${expected} is not valid JSON` })
    }
    const hash = chainHash(this.#previous, bytes)
    if (hash !== entry.hash) {
      return (this.#problem = {
        seq: expected,
        reason: `entry ${expected} does not match its chain hash`,
      })
    }
    const leaf = leafHash(bytes)
    if (toHex(leaf) !== entry.leafHash) {
      return (this.#problem = {
        seq: expected,
        reason: `entry ${expected} does not match its stored leaf hash`,
      })
    }
    this.#previous = hash
    this.#frontier.push(leaf)
    if (this.#frontier.size === this.#head.size) this.#checkRoot()
    return this.#problem
  }

  /** The verdict once every entry has been pushed. */
  finish(): AuditVerdict {
    if (!this.#problem && !this.#rootChecked) {
      this.#problem = {
        seq: this.#frontier.size + 1,
        reason: `the log ends at entry ${this.#frontier.size} but the signed tree head covers ${this.#head.size}`,
      }
    }
    if (this.#problem) return { ok: false, ...this.#problem }
    return {
      ok: true,
      entries: this.#frontier.size,
      headSize: this.#head.size,
      root: this.#head.root,
    }
  }

  #checkRoot(): void {
    this.#rootChecked = true
    const root = toHex(this.#frontier.root())
    if (root !== this.#head.root) {
      this.#problem = {
        seq: null,
        reason: `the Merkle root of entries 1..${this.#head.size} does not match the signed tree head`,
      }
    }
  }
}

/** Checks that the head is signed by `nodeDid` and that its fields are the signed ones. */
function checkHead(head: SignedTreeHead, nodeDid: string): AuditProblem | undefined {
  let payload: { size?: unknown; root?: unknown; time?: unknown }
  try {
    payload = verifyJws<typeof payload>(head.signature, nodeDid).payload
  } catch (error) {
    return { seq: null, reason: `the tree head signature is bad: ${(error as Error).message}` }
  }
  if (payload.size !== head.size || payload.root !== head.root || payload.time !== head.time) {
    return { seq: null, reason: 'the tree head differs from what its signature covers' }
  }
  if (!Number.isSafeInteger(head.size) || head.size < 0) {
    return { seq: null, reason: `the tree head size "${String(head.size)}" is not a size` }
  }
  return undefined
}
