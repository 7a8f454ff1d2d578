import {
  auditEntryBytes,
  fromHex,
  leafHash,
  toHex,
  verifyInclusion,
  verifyJws,
} from '@agentmesh/protocol'
import type { AuditEntry, AuditTreeHead } from '@agentmesh/sdk/browser'
import type { Session } from './session.js'

/** One check of a proof, as the page lists it. */
export interface ProofCheck {
  name: string
  ok: boolean
  detail: string
}

/** Checks the tree head's signature: a JWS by the node's DID over exactly its size, root and time. */
export function checkHead(head: AuditTreeHead, nodeDid: string): ProofCheck {
  try {
    const { payload } = verifyJws<{ size?: unknown; root?: unknown; time?: unknown }>(
      head.signature,
      nodeDid,
    )
    const same =
      payload.size === head.size && payload.root === head.root && payload.time === head.time
    return {
      name: 'Tree head signed by the node',
      ok: same,
      detail: same
        ? `EdDSA signature by ${nodeDid} over size ${head.size}, root ${head.root.slice(0, 16)}…`
        : 'The signature covers other values than the head shows',
    }
  } catch (error) {
    return { name: 'Tree head signed by the node', ok: false, detail: (error as Error).message }
  }
}

/**
 * Verifies, in the browser, that `entry` is in the log the node signed: the head's signature,
 * the entry's leaf hash recomputed from its canonical JSON, and its RFC 9162 inclusion path up to
 * the signed root. The node only supplies the path; every hash is computed here.
 */
export async function verifyEntryProof(
  session: Session,
  entry: AuditEntry,
  head: AuditTreeHead,
): Promise<ProofCheck[]> {
  const checks = [checkHead(head, session.info.did)]
  const leaf = leafHash(auditEntryBytes(entry))
  const leafOk = toHex(leaf) === entry.leafHash
  checks.push({
    name: 'Entry hashes to its leaf',
    ok: leafOk,
    detail: `SHA-256(0x00 ‖ canonical JSON) = ${toHex(leaf).slice(0, 16)}…`,
  })
  const proof = await session.mesh.auditInclusionProof(entry.seq, head.size)
  const included = verifyInclusion(
    leaf,
    entry.seq - 1,
    head.size,
    proof.path.map((hash) => fromHex(hash)),
    fromHex(head.root),
  )
  checks.push({
    name: 'Inclusion path leads to the signed root',
    ok: included,
    detail: `${proof.path.length} hashes from leaf ${entry.seq - 1} in a tree of ${head.size}`,
  })
  return checks
}
