import { MeshError } from '@agentmesh/protocol'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { AuthStores } from './auth-store.js'

/**
 * Removes a principal from the store: the principal, every live session of it (revoked, so a node
 * that looks the token up refuses it) and its permissions; audited. Its accounts, tasks and audit
 * trail stay. The node's own key cannot be removed.
 */
export async function removePrincipal(
  deps: { store: AuthStores; clock: Clock; audit: AuditSink | undefined; nodeDid: string },
  did: string,
  actor: string,
): Promise<void> {
  if (did === deps.nodeDid) {
    throw new MeshError('FORBIDDEN', `The node's own key "${did}" cannot be removed`)
  }
  const existing = await deps.store.principals.get(did)
  if (!existing) throw new MeshError('PRINCIPAL_NOT_FOUND', `Principal "${did}" is not registered`)
  await deps.store.principals.delete(did)
  const sessions = await deps.store.sessions.revokeAll(did, deps.clock.now())
  await deps.store.permissions.deleteAll(did)
  await deps.audit?.record({
    actor,
    action: 'principal.remove',
    resource: `principal:${did}`,
    result: 'ok',
    details: { roles: existing.roles, sessions },
  })
}
