import type { Role } from '@agentmesh/protocol'

/** Who is calling, as established from a session token. */
export interface Caller {
  did: string
  roles: Role[]
}
