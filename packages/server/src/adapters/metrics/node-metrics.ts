import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { formatAmount } from '@agentmesh/protocol'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { AuditSignal } from '../../core/alerts/audit-signals.js'
import type { IntegrityResult } from '../../core/alerts/integrity-monitor.js'
import type { Bus } from '../../core/ports/bus.js'
import type { RegistryEvent } from '../../core/registry/registry-store.js'
import { REGISTRY_CHANGED } from '../../core/registry/registry-service.js'
import { TASK_EVENTS, type TaskEvent } from '../../core/tasks/task-runner.js'
import { isTerminal, type TaskState } from '../../core/tasks/task-types.js'
import { LabelLimit } from './label-limit.js'

const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

export interface NodeMetricsOptions {
  /** The node's own registry (never prom-client's global one): two nodes in a process stay apart. */
  registry: Registry
  bus: Bus
  /** Distinct values one label may take (capabilities, currencies, routes) before the rest become `other`. */
  maxLabelValues: number
  /** Agents given an `agentmesh_agent_up` series; the rest count in `agentmesh_agents_online` only. */
  maxAgentSeries: number
}

/**
 * The node's Prometheus metrics on prom-client. Task and registry metrics come from the bus
 * (`tasks.events`, `registry.changed`); ledger and sign-in metrics from audit signals; HTTP metrics
 * from the API's hooks. Names are listed in the README and used by `deploy/prometheus`.
 */
export class NodeMetrics {
  readonly registry: Registry
  readonly #bus: Bus
  readonly #labels: LabelLimit
  readonly #maxAgentSeries: number
  readonly #unsubscribe: (() => void)[] = []
  readonly #taskStates = new Map<string, TaskState>()
  readonly #online = new Set<string>()
  readonly #agentSeries = new Set<string>()
  /** Money moved, exact: micro-units per currency and code, exposed as decimals at each scrape. */
  readonly #volumeMicros = new Map<string, { currency: string; code: string; micros: bigint }>()
  #loopDelay: IntervalHistogram | undefined

  readonly #tasksActive: Gauge<'state'>
  readonly #tasksFinished: Counter<'capability' | 'state'>
  readonly #taskDuration: Histogram<'capability' | 'state'>
  readonly #ledgerTransfers: Counter<'currency' | 'code'>
  readonly #ledgerRefused: Counter<'reason'>
  readonly #budgetExceeded: Counter
  readonly #agentsOnline: Gauge
  readonly #agentUp: Gauge<'agent_id'>
  readonly #authFailures: Counter<'code'>
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>
  readonly #httpDuration: Histogram<'method' | 'route'>
  readonly #verificationOk: Gauge<'check'>
  readonly #verificationAt: Gauge<'check'>

  constructor(options: NodeMetricsOptions) {
    this.registry = options.registry
    this.#bus = options.bus
    this.#labels = new LabelLimit(options.maxLabelValues)
    this.#maxAgentSeries = options.maxAgentSeries
    const registers = [this.registry]
    this.#tasksActive = new Gauge({
      name: 'agentmesh_tasks_active',
      help: 'Tasks not yet final, by state',
      labelNames: ['state'],
      registers,
    })
    this.#tasksFinished = new Counter({
      name: 'agentmesh_tasks_finished_total',
      help: 'Tasks that reached a final state, by capability and state',
      labelNames: ['capability', 'state'],
      registers,
    })
    this.#taskDuration = new Histogram({
      name: 'agentmesh_task_duration_seconds',
      help: 'Time from submission to final state, by capability and state',
      labelNames: ['capability', 'state'],
      buckets: DURATION_BUCKETS_S,
      registers,
    })
    const volume = this.#volumeMicros
    new Counter({
      name: 'agentmesh_ledger_volume_total',
      help: 'Money moved by posted transfers, in currency units, by currency and transfer code',
      labelNames: ['currency', 'code'],
      registers,
      // Summed in bigint micro-units; a float sum would drift (0.1 + 0.2 …).
      collect() {
        this.reset()
        for (const { currency, code, micros } of volume.values())
          this.inc({ currency, code }, Number(formatAmount(micros)))
      },
    })
    this.#ledgerTransfers = new Counter({
      name: 'agentmesh_ledger_transfers_total',
      help: 'Posted transfers, by currency and transfer code',
      labelNames: ['currency', 'code'],
      registers,
    })
    this.#ledgerRefused = new Counter({
      name: 'agentmesh_ledger_refused_total',
      help: 'Transfers the ledger refused, by reason',
      labelNames: ['reason'],
      registers,
    })
    this.#budgetExceeded = new Counter({
      name: 'agentmesh_budget_exceeded_total',
      help: 'Transfers refused because they would exceed a budget',
      registers,
    })
    this.#agentsOnline = new Gauge({
      name: 'agentmesh_agents_online',
      help: 'Agents online now',
      registers,
    })
    this.#agentUp = new Gauge({
      name: 'agentmesh_agent_up',
      help: 'Whether an agent seen online is online (1) or offline (0); removed agents drop out',
      labelNames: ['agent_id'],
      registers,
    })
    this.#authFailures = new Counter({
      name: 'agentmesh_auth_failures_total',
      help: 'Failed sign-ins and rejected tokens, by error code',
      labelNames: ['code'],
      registers,
    })
    this.#httpRequests = new Counter({
      name: 'agentmesh_http_requests_total',
      help: 'HTTP requests, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    })
    this.#httpDuration = new Histogram({
      name: 'agentmesh_http_request_duration_seconds',
      help: 'HTTP request duration, by method and route',
      labelNames: ['method', 'route'],
      buckets: DURATION_BUCKETS_S,
      registers,
    })
    this.#verificationOk = new Gauge({
      name: 'agentmesh_verification_ok',
      help: 'Whether the last integrity check passed (1) or failed (0), by check (ledger, audit)',
      labelNames: ['check'],
      registers,
    })
    this.#verificationAt = new Gauge({
      name: 'agentmesh_verification_last_run_timestamp_seconds',
      help: 'When each integrity check last ran',
      labelNames: ['check'],
      registers,
    })
    // One collect sets both gauges, then starts a new interval (as prom-client's own lag metric).
    const loop = () => this.#loopDelay
    const lagMax = new Gauge({
      name: 'agentmesh_event_loop_lag_max_seconds',
      help: 'Largest event-loop delay since the last scrape',
      registers: [],
    })
    new Gauge({
      name: 'agentmesh_event_loop_lag_p99_seconds',
      help: '99th percentile of the event-loop delay since the last scrape',
      registers,
      collect() {
        const histogram = loop()
        const measured = histogram !== undefined && histogram.count > 0
        this.set(measured ? histogram.percentile(99) / 1e9 : 0)
        lagMax.set(measured ? histogram.max / 1e9 : 0)
        histogram?.reset()
      },
    })
    this.registry.registerMetric(lagMax)
  }

  /** Follows the bus and starts measuring the event loop. */
  start(): void {
    if (this.#unsubscribe.length > 0) return
    this.#loopDelay = monitorEventLoopDelay({ resolution: 10 })
    this.#loopDelay.enable()
    this.#unsubscribe.push(
      this.#bus.subscribe(TASK_EVENTS, ({ body }) => this.#taskEvent(body as TaskEvent)),
      this.#bus.subscribe(REGISTRY_CHANGED, ({ body }) =>
        this.#registryEvent(body as RegistryEvent),
      ),
    )
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
    this.#loopDelay?.disable()
    this.#loopDelay = undefined
  }

  /** The Prometheus text exposition format's content type. */
  get contentType(): string {
    return this.registry.contentType
  }

  render(): Promise<string> {
    return this.registry.metrics()
  }

  httpRequest(request: { method: string; route: string; status: number; durationMs: number }) {
    const route = this.#labels.value('route', request.route)
    this.#httpRequests.inc({ method: request.method, route, status: String(request.status) })
    this.#httpDuration.observe({ method: request.method, route }, request.durationMs / 1000)
  }

  /** A request refused for its token (sign-in failures come through the audit trail). */
  authFailure(code: string): void {
    this.#authFailures.inc({ code })
  }

  observeAudit(signal: AuditSignal): void {
    switch (signal.kind) {
      case 'transfer': {
        const labels = {
          currency: this.#labels.value('currency', signal.currency),
          code: signal.code,
        }
        this.#ledgerTransfers.inc(labels)
        const key = `${labels.currency} ${labels.code}`
        const sum = this.#volumeMicros.get(key) ?? { ...labels, micros: 0n }
        this.#volumeMicros.set(key, { ...sum, micros: sum.micros + signal.amountMicros })
        break
      }
      case 'transfer_refused':
        this.#ledgerRefused.inc({ reason: signal.reason })
        if (signal.reason === 'budget_exceeded') this.#budgetExceeded.inc()
        break
      case 'login_failed':
        this.#authFailures.inc({ code: signal.code })
        break
    }
  }

  verified(result: IntegrityResult): void {
    this.#verificationOk.set({ check: result.check }, result.ok ? 1 : 0)
    this.#verificationAt.set({ check: result.check }, result.atMs / 1000)
  }

  #taskEvent(event: TaskEvent): void {
    const before = this.#taskStates.get(event.taskId)
    if (before) this.#tasksActive.dec({ state: before })
    if (!isTerminal(event.state)) {
      this.#taskStates.set(event.taskId, event.state)
      this.#tasksActive.inc({ state: event.state })
      return
    }
    this.#taskStates.delete(event.taskId)
    const labels = {
      capability: this.#labels.value('capability', event.capabilityId),
      state: event.state,
    }
    this.#tasksFinished.inc(labels)
    this.#taskDuration.observe(labels, Math.max(0, event.atMs - event.createdAtMs) / 1000)
  }

  #registryEvent(event: RegistryEvent): void {
    const { agentId } = event
    if (event.type === 'online') this.#online.add(agentId)
    else if (event.type === 'offline' || event.type === 'removed') this.#online.delete(agentId)
    else return
    this.#agentsOnline.set(this.#online.size)
    if (event.type === 'removed') {
      if (this.#agentSeries.delete(agentId)) this.#agentUp.remove({ agent_id: agentId })
      return
    }
    if (!this.#agentSeries.has(agentId)) {
      if (this.#agentSeries.size >= this.#maxAgentSeries) return
      this.#agentSeries.add(agentId)
    }
    this.#agentUp.set({ agent_id: agentId }, event.type === 'online' ? 1 : 0)
  }
}
