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
