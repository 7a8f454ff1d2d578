import { MeshError, selfServiceRoles, type Role } from '@agentmesh/protocol'
import type { Principal } from './auth-store.js'

/**
 * The roles a sign-in asks for that the key does not hold yet, when it may give them to itself
 * (client and agent, on an open node). Otherwise throws, naming what the key holds and what it
 * asked for: an unknown key on a closed node is 403 REGISTRATION_CLOSED; an admin-only role, or
 * any role a known key lacks on a closed node, is 403 FORBIDDEN.
 */
export function rolesToAdd(
  did: string,
  existing: Principal | undefined,
  requested: Role[],
  closed: boolean,
): Role[] {
  const missing = requested.filter((role) => !existing?.roles.includes(role))
  if (existing && missing.length === 0) return missing
  const holds = existing
    ? `Key "${did}" holds roles ${existing.roles.join(', ')}; asked for ${requested.join(', ')}`
    : `Key "${did}" is not registered; asked for ${requested.join(', ')}`
  if (closed && !existing) {
    throw new MeshError(
      'REGISTRATION_CLOSED',
      `${holds}: this node is closed, an admin must register the key`,
    )
  }
  const adminOnly = missing.filter((role) => !selfServiceRoles.includes(role))
  if (adminOnly.length > 0) {
    throw new MeshError('FORBIDDEN', `${holds}: only an admin grants ${adminOnly.join(', ')}`)
  }
  if (!closed) return missing
  throw new MeshError(
    'FORBIDDEN',
    `${holds}: this node is closed, ask for roles the key holds or have an admin grant ${missing.join(', ')}`,
  )
}
