import type { Hash } from '@agentmesh/protocol'
import type { AuditEntryWire } from '../../src/core/audit/audit-entry.js'
import type { SignedTreeHead } from '../../src/core/audit/audit-log.js'
import { AuditVerifier, type AuditVerdict } from '../../src/core/audit/audit-verify.js'
import { consistencyRanges, inclusionRanges, rootOf } from '../../src/core/audit/merkle.js'

/* Reference computations over whole arrays, for tests to check the streaming code against. */

/** An inclusion proof computed from an array of leaf hashes. */
export function inclusionProof(index: number, leaves: readonly Hash[]): Hash[] {
  return inclusionRanges(index, leaves.length).map(([s, e]) => rootOf(leaves.slice(s, e)))
}

/** A consistency proof computed from an array of leaf hashes. */
export function consistencyProof(from: number, leaves: readonly Hash[]): Hash[] {
  return consistencyRanges(from, leaves.length).map(([s, e]) => rootOf(leaves.slice(s, e)))
}

/** Verifies a whole log held in memory, as `agentmesh audit verify` streams it. */
export function verifyAuditLog(
  entries: Iterable<AuditEntryWire>,
  head: SignedTreeHead,
  nodeDid: string,
): AuditVerdict {
  const verifier = new AuditVerifier(head, nodeDid)
  for (const entry of entries) if (verifier.push(entry)) break
  return verifier.finish()
}
