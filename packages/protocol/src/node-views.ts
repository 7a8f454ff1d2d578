/**
 * Resources as the node answers them over HTTP (money as decimal strings, times as ISO 8601): the
 * one declaration the server builds them to and the SDK reads them as.
 */
import type { Money } from './money.js'
import type { Role } from './schemas.js'

/** What this node is (`GET /v1/info`). */
export interface NodeInfo {
  did: string
  version: string
  mode: 'embedded' | 'cluster'
  store: 'sqlite' | 'postgres'
  currencies: string[]
}

/** The node's task figures over the last minute (`GET /v1/stats`). */
export interface NodeStats {
  at: string
  windowMs: number
  tasksPerSecond: number
  finished: number
  errors: number
  errorRate: number | null
  latencyMs: { p50: number | null; p95: number | null; p99: number | null }
  inFlight: number
  agentsOnline: number
  /** One point per second of the window, oldest first. */
  series: { at: string; finished: number; errors: number; p95LatencyMs: number | null }[]
}

/** An alert as `GET /v1/alerts` shows it. */
export interface AlertView {
  /** The rule and what it is about, e.g. `AgentUnresponsive:did:key:z6Mk…`. */
  id: string
  rule:
    | 'TaskErrorRateHigh'
    | 'AgentUnresponsive'
    | 'BudgetExceeded'
    | 'VerificationFailed'
    | 'AgentAnomalous'
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

/** A principal as the node answers it. */
export interface PrincipalView {
  did: string
  roles: Role[]
  createdAt: string
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

/** An account's balances, as money. */
export interface AccountBalance {
  id: string
  owner: string
  currency: string
  posted: Money
  pending: Money
  incoming: Money
  available: Money
  /** When set, debits (posted and pending) may never exceed posted credits. */
  noOverdraft: boolean
}

/** A ledger transfer as the node reports it. */
export interface LedgerTransfer {
  id: string
  kind: 'posted' | 'pending' | 'post' | 'void'
  debitAccount: string
  creditAccount: string
  amount: Money
  code: string
  reference?: string
  pendingId?: string
  state?: 'pending' | 'posted' | 'voided' | 'expired'
  /** For a pending transfer: how long it holds before it expires. */
  timeoutMs?: number
  expiresAt?: string
  createdAt: string
}
