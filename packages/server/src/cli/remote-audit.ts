import type { CosignedTreeHead, Mesh } from '@agentmesh/sdk'
import { AuditVerifier, type AuditVerdict } from '../core/audit/audit-verify.js'

const PAGE_ENTRIES = 1000

/**
 * Verifies a node's audit log over its API (admin): downloads it page by page and checks the
 * chain, the Merkle root and the tree head's signature. `onPage` hears how many entries are done
 * out of the head's size. Shared by `agentmesh audit verify` and the soak benchmark.
 */
export async function verifyRemoteAudit(
  mesh: Mesh,
  onPage: (done: number, total: number) => void = () => {},
): Promise<{ verdict: AuditVerdict; nodeDid: string; headTime: string; head: CosignedTreeHead }> {
  const info = await mesh.info()
  const head = await mesh.auditHead()
  const verifier = new AuditVerifier(head, info.did)
  let cursor: string | null = null
  do {
    const page = await mesh.auditEntries({
      limit: PAGE_ENTRIES,
      ...(cursor === null ? {} : { cursor }),
    })
    for (const entry of page.entries) if (verifier.push(entry)) break
    onPage(verifier.count, head.size)
    cursor = verifier.problem ? null : page.nextCursor
  } while (cursor !== null)
  return { verdict: verifier.finish(), nodeDid: info.did, headTime: head.time, head }
}
