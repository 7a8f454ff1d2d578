/** What happened, as the audit log records it. */
export interface AuditEvent {
  /** The DID that acted (or the node's DID for the node's own actions). */
  actor: string
  /** A dotted verb, e.g. `auth.login`, `agent.register`, `task.completed`, `transfer.posted`. */
  action: string
  /** What it acted on, e.g. `agent:did:key:…`, `task:01J…`, `transfer:…`. */
  resource: string
  result: 'ok' | 'denied' | 'error'
  details?: Record<string, unknown>
}

/** Where services report what happened; the audit log implements it. */
export interface AuditSink {
  record(event: AuditEvent): Promise<void>
}
