import type { Anomaly } from '../anomalies/anomaly-detector.js'
import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'
import type { Logger } from '../ports/logger.js'
import type { RegistryEvent } from '../registry/registry-store.js'
import { REGISTRY_CHANGED } from '../registry/registry-service.js'
import { TASK_EVENTS, type TaskEvent } from '../tasks/task-runner.js'
import { isTerminal } from '../tasks/task-types.js'
import {
  AlertEvaluator,
  type Alert,
  type AlertChange,
  type AlertOptions,
} from './alert-evaluator.js'
import type { AuditSignal } from './audit-signals.js'
import type { IntegrityResult } from './integrity-monitor.js'

/** The topic on which alerts that fire or resolve are announced (the dashboard follows it). */
export const ALERTS_CHANGED = 'alerts.changed'

interface AlertDeps {
  bus: Bus
  clock: Clock
  logger: Logger
  /** What behaves out of its normal now (`AgentAnomalous`); none: the rule never fires. */
  anomalies?: { active(nowMs: number): Anomaly[] }
}

/**
 * The node's alerts: listens to task transitions and registry changes on the bus, to the ledger's
 * refusals (through the audit trail) and to integrity checks, and evaluates the rules on demand
 * and on the node's timer. Each alert that fires or resolves is logged and published.
 */
export class AlertService {
  readonly #deps: AlertDeps
  readonly #evaluator: AlertEvaluator
  readonly #unsubscribe: (() => void)[] = []

  constructor(deps: AlertDeps, options: AlertOptions) {
    this.#deps = deps
    this.#evaluator = new AlertEvaluator(options)
  }

  /** Subscribes to the bus topics it learns from. */
  start(): void {
    if (this.#unsubscribe.length > 0) return
    const { bus } = this.#deps
    this.#unsubscribe.push(
      bus.subscribe(TASK_EVENTS, ({ body }) => {
        const event = body as TaskEvent
        if (isTerminal(event.state)) this.#evaluator.taskFinished(event.state, event.atMs)
      }),
      bus.subscribe(REGISTRY_CHANGED, ({ body }) => {
        const event = body as RegistryEvent
        if (event.type === 'online') this.#evaluator.agentOnline(event.agentId)
        else if (event.type === 'offline') this.#evaluator.agentOffline(event.agentId, event.atMs)
        else if (event.type === 'removed') this.#evaluator.agentRemoved(event.agentId)
      }),
    )
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
  }

  /** Takes the ledger's refusals from the audit trail: a budget overage raises an alert. */
  observeAudit(signal: AuditSignal): void {
    if (signal.kind === 'transfer_refused' && signal.reason === 'budget_exceeded') {
      this.#evaluator.budgetExceeded(signal.actor, this.#deps.clock.now())
    }
  }

  /** Takes an integrity check's outcome, and evaluates at once: a failure is news. */
  verified(result: IntegrityResult): void {
    this.#evaluator.verified(result.check, result.ok, result.problem, result.atMs)
    this.evaluate()
  }

  /** Evaluates every rule now; logs and publishes what fired or resolved. */
  evaluate(): AlertChange[] {
    const now = this.#deps.clock.now()
    if (this.#deps.anomalies) this.#evaluator.anomalous(this.#deps.anomalies.active(now))
    const changes = this.#evaluator.evaluate(now)
    for (const { change, alert } of changes) {
      const fields = {
        alert: alert.id,
        rule: alert.rule,
        severity: alert.severity,
        ...alert.labels,
      }
      if (change === 'fired') this.#deps.logger.warn(fields, `alert firing: ${alert.summary}`)
      else this.#deps.logger.info(fields, `alert resolved: ${alert.summary}`)
      void this.#deps.bus.publish(ALERTS_CHANGED, { change, alert })
    }
    return changes
  }

  /** The alerts as of now: firing ones oldest first, then the latest resolved ones. */
  list(): { firing: Alert[]; resolved: Alert[] } {
    this.evaluate()
    return this.#evaluator.list()
  }
}
