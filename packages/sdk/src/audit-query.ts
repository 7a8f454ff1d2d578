/** Filters of `GET /v1/audit`; `from` (inclusive) and `to` (exclusive) are ISO times. */
export interface AuditQuery {
  actor?: string
  action?: string
  from?: string
  to?: string
  cursor?: string
  limit?: number
}
