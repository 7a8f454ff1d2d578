/** An alert as `GET /v1/alerts` shows it. */
export interface AlertView {
  /** The rule and what it is about, e.g. `AgentUnresponsive:did:key:z6Mk…`. */
  id: string
  rule: 'TaskErrorRateHigh' | 'AgentUnresponsive' | 'BudgetExceeded' | 'VerificationFailed'
  severity: 'warning' | 'critical'
  state: 'firing' | 'resolved'
  summary: string
  labels: Record<string, string>
  /** What the rule measured, where it measures (the error rate); null otherwise. */
  value: number | null
  /** When the condition began (for an unresponsive agent: when the 5 minutes ran out). */
  since: string
  resolvedAt: string | null
}

/** The node's alerts: firing ones oldest first, then the latest resolved ones, newest first. */
export interface AlertsView {
  alerts: AlertView[]
}
