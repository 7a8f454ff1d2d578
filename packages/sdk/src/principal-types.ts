import type { Role } from '@agentmesh/protocol'

/** A principal as the node answers it. */
export interface PrincipalView {
  did: string
  roles: Role[]
  createdAt: string
}

/**
 * A permission to grant: `capability`/`call` (scope `capability`, `maxPrice`, `currency`) limits
 * the tasks a principal may submit; `validator`/`validate` (scope `capability`) lets it validate.
 */
export interface PermissionGrant {
  resource: 'capability' | 'validator'
  action: 'call' | 'validate'
  scope?: { capability?: string; maxPrice?: string; currency?: string }
  /** ISO date-time; none: it does not expire. */
  expiresAt?: string
}

/** A granted permission. */
export interface PermissionView {
  id: string
  did: string
  resource: string
  action: string
  scope: Record<string, string>
  expiresAt: string | null
  expired: boolean
  grantedBy: string
  grantedAt: string
}
