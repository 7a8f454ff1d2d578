import type { Anomaly, AnomalyMetric } from '../anomalies/anomaly-detector.js'
import type { TaskState } from '../tasks/task-types.js'

/** The node's alert rules; `deploy/prometheus/agentmesh-rules.yml` holds the same five. */
export type AlertRule =
  | 'TaskErrorRateHigh'
  | 'AgentUnresponsive'
  | 'BudgetExceeded'
  | 'VerificationFailed'
  | 'AgentAnomalous'

/** The integrity checks the node runs on a timer. */
export type IntegrityCheck = 'ledger' | 'audit'

/** An alert, firing or resolved. Its id names the rule and what it is about, so it fires once. */
export interface Alert {
  id: string
  rule: AlertRule
  severity: 'warning' | 'critical'
  labels: Record<string, string>
  summary: string
  state: 'firing' | 'resolved'
  /** What was measured, where the rule measures (the error rate); null otherwise. */
  value: number | null
  startsAtMs: number
  resolvedAtMs: number | null
}

/** An alert that fired or resolved in one evaluation. */
export interface AlertChange {
  change: 'fired' | 'resolved'
  alert: Alert
}

/** Thresholds and windows; short ones let a test see alerts fire. */
export interface AlertOptions {
  /** Share of finished tasks (canceled ones aside) that may fail within the window: 0.01. */
  errorRateThreshold: number
  errorRateWindowMs: number
  /** How long a registered agent may stay offline before it counts as unresponsive. */
  agentUnresponsiveMs: number
  /** How long a budget overage keeps its alert firing after the last refused transfer. */
  budgetWindowMs: number
  /** How many resolved alerts are kept for reading, newest first. */
  maxResolved: number
}

export const defaultAlertOptions: AlertOptions = {
  errorRateThreshold: 0.01,
  errorRateWindowMs: 5 * 60_000,
  agentUnresponsiveMs: 5 * 60_000,
  budgetWindowMs: 5 * 60_000,
  maxResolved: 100,
}

const ERROR_STATES: readonly TaskState[] = ['failed', 'timed_out', 'disputed']
/** The error-rate window is kept as this many buckets, so memory stays flat under any load. */
const BUCKETS = 60

interface Condition {
  rule: AlertRule
  severity: Alert['severity']
  labels: Record<string, string>
  summary: string
  value: number | null
  sinceMs: number
}

const minutes = (ms: number): string =>
  ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 100) / 10} s`

/**
 * Decides which alerts fire. Fed with what happened (finished tasks, agents going offline,
 * refused transfers, integrity checks) and asked at any time; pure, with time passed in.
 */
export class AlertEvaluator {
  readonly #options: AlertOptions
  readonly #bucketMs: number
  readonly #buckets = new Map<number, { total: number; errors: number }>()
  readonly #offlineSince = new Map<string, number>()
  readonly #overages = new Map<string, { lastAtMs: number; firstAtMs: number; count: number }>()
  readonly #checks = new Map<IntegrityCheck, { ok: boolean; problem: string; atMs: number }>()
  #anomalies: Anomaly[] = []
  readonly #firing = new Map<string, Alert>()
  #resolved: Alert[] = []

  constructor(options: AlertOptions) {
    this.#options = options
    this.#bucketMs = Math.max(1, Math.ceil(options.errorRateWindowMs / BUCKETS))
  }

  /** A task reached a final state; canceled tasks count neither way. */
  taskFinished(state: TaskState, atMs: number): void {
    if (state === 'canceled') return
    const key = Math.floor(atMs / this.#bucketMs)
    const bucket = this.#buckets.get(key) ?? { total: 0, errors: 0 }
    bucket.total++
    if (ERROR_STATES.includes(state)) bucket.errors++
    this.#buckets.set(key, bucket)
  }

  agentOnline(agentId: string): void {
    this.#offlineSince.delete(agentId)
  }

  agentOffline(agentId: string, atMs: number): void {
    if (!this.#offlineSince.has(agentId)) this.#offlineSince.set(agentId, atMs)
  }

  /** A removed agent is no longer expected to answer. */
  agentRemoved(agentId: string): void {
    this.#offlineSince.delete(agentId)
  }

  /** The ledger refused a transfer of `principal`'s for its budget. */
  budgetExceeded(principal: string, atMs: number): void {
    const seen = this.#overages.get(principal)
    if (seen && atMs - seen.lastAtMs < this.#options.budgetWindowMs) {
      seen.lastAtMs = Math.max(seen.lastAtMs, atMs)
      seen.count++
    } else {
      this.#overages.set(principal, { lastAtMs: atMs, firstAtMs: atMs, count: 1 })
    }
  }

  /** The outcome of an integrity check; a failed one fires until a later check passes. */
  verified(check: IntegrityCheck, ok: boolean, problem: string, atMs: number): void {
    this.#checks.set(check, { ok, problem, atMs })
  }

  /** What anomaly detection finds out of normal now (replaces what it said before). */
  anomalous(anomalies: Anomaly[]): void {
    this.#anomalies = anomalies
  }

  /** Re-evaluates every rule at `nowMs`; answers what fired and what resolved. */
  evaluate(nowMs: number): AlertChange[] {
    const conditions = new Map<string, Condition>()
    const add = (id: string, condition: Condition) => conditions.set(id, condition)
    const rate = this.#errorRate(nowMs)
    if (rate && rate.errors / rate.total > this.#options.errorRateThreshold) {
      const share = rate.errors / rate.total
      add('TaskErrorRateHigh', {
        rule: 'TaskErrorRateHigh',
        severity: 'critical',
        labels: {},
        summary:
          `${rate.errors} of ${rate.total} tasks failed in the last ` +
          `${minutes(this.#options.errorRateWindowMs)} (${(share * 100).toFixed(1)} %, over ` +
          `${this.#options.errorRateThreshold * 100} %)`,
        value: share,
        sinceMs: nowMs,
      })
    }
    for (const [agentId, sinceMs] of this.#offlineSince) {
      if (nowMs - sinceMs < this.#options.agentUnresponsiveMs) continue
      add(`AgentUnresponsive:${agentId}`, {
        rule: 'AgentUnresponsive',
        severity: 'warning',
        labels: { agentId },
        summary: `Agent "${agentId}" has been offline since ${new Date(sinceMs).toISOString()}`,
        value: null,
        sinceMs: sinceMs + this.#options.agentUnresponsiveMs,
      })
    }
    for (const [principal, seen] of this.#overages) {
      if (nowMs - seen.lastAtMs >= this.#options.budgetWindowMs) {
        this.#overages.delete(principal)
        continue
      }
      add(`BudgetExceeded:${principal}`, {
        rule: 'BudgetExceeded',
        severity: 'warning',
        labels: { principal },
        summary: `The ledger refused ${seen.count} transfer${seen.count === 1 ? '' : 's'} of "${principal}" over its budget`,
        value: seen.count,
        sinceMs: seen.firstAtMs,
      })
    }
    for (const [check, result] of this.#checks) {
      if (result.ok) continue
      add(`VerificationFailed:${check}`, {
        rule: 'VerificationFailed',
        severity: 'critical',
        labels: { check },
        summary: `The ${check} failed verification: ${result.problem}`,
        value: null,
        sinceMs: result.atMs,
      })
    }
    for (const [id, condition] of anomalyConditions(this.#anomalies)) add(id, condition)
    return this.#apply(conditions, nowMs)
  }

  /** Firing alerts (oldest first) and the latest resolved ones (newest first). */
  list(): { firing: Alert[]; resolved: Alert[] } {
    const firing = [...this.#firing.values()].sort((a, b) => a.startsAtMs - b.startsAtMs)
    return {
      firing: firing.map((a) => ({ ...a })),
      resolved: this.#resolved.map((a) => ({ ...a })),
    }
  }

  #errorRate(nowMs: number): { total: number; errors: number } | undefined {
    const oldest = Math.floor((nowMs - this.#options.errorRateWindowMs) / this.#bucketMs)
    let total = 0
    let errors = 0
    for (const [key, bucket] of this.#buckets) {
      if (key <= oldest) {
        this.#buckets.delete(key)
        continue
      }
      total += bucket.total
      errors += bucket.errors
    }
    return total > 0 ? { total, errors } : undefined
  }

  #apply(conditions: Map<string, Condition>, nowMs: number): AlertChange[] {
    const changes: AlertChange[] = []
    for (const [id, condition] of conditions) {
      const firing = this.#firing.get(id)
      if (firing) {
        firing.summary = condition.summary
        firing.value = condition.value
        continue
      }
      const { sinceMs, ...rest } = condition
      const alert: Alert = {
        id,
        ...rest,
        state: 'firing',
        startsAtMs: Math.min(sinceMs, nowMs),
        resolvedAtMs: null,
      }
      this.#firing.set(id, alert)
      changes.push({ change: 'fired', alert: { ...alert } })
    }
    for (const [id, alert] of this.#firing) {
      if (conditions.has(id)) continue
      this.#firing.delete(id)
      alert.state = 'resolved'
      alert.resolvedAtMs = nowMs
      this.#resolved = [alert, ...this.#resolved].slice(0, this.#options.maxResolved)
      changes.push({ change: 'resolved', alert: { ...alert } })
    }
    return changes
  }
}

const UNITS: Record<AnomalyMetric, (value: number) => string> = {
  latency: (v) => `${Math.round(v)} ms`,
  errorRate: (v) => `${Math.round(v * 100)} %`,
  outputSize: (v) => `${Math.round(v)} chars`,
  price: (v) => `${Math.round(v)} micro-units`,
}

/** `AgentAnomalous`, one alert per agent with anomalies: what is off, and since when. */
function anomalyConditions(anomalies: Anomaly[]): Map<string, Condition> {
  const byAgent = new Map<string, Anomaly[]>()
  for (const anomaly of anomalies) {
    byAgent.set(anomaly.agentId, [...(byAgent.get(anomaly.agentId) ?? []), anomaly])
  }
  const conditions = new Map<string, Condition>()
  for (const [agentId, found] of byAgent) {
    const what = found
      .map((a) => {
        const unit = UNITS[a.metric]
        return `${a.metric} of ${a.capabilityId} ${unit(a.observed)} (normal ${unit(a.expected)})`
      })
      .join('; ')
    conditions.set(`AgentAnomalous:${agentId}`, {
      rule: 'AgentAnomalous',
      severity: 'warning',
      labels: { agentId },
      summary: `Agent "${agentId}" behaves out of its normal: ${what}`,
      value: Math.max(...found.map((a) => a.score)),
      sinceMs: Math.min(...found.map((a) => a.sinceMs)),
    })
  }
  return conditions
}
