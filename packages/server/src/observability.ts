import type { KeyPair } from '@agentmesh/protocol'
import { Gauge, Registry } from 'prom-client'
import { NodeMetrics } from './adapters/metrics/node-metrics.js'
import { systemClock } from './adapters/system/system-clock.js'
import { OtelTracer } from './adapters/tracing/otel-tracer.js'
import type { AlertOptions } from './core/alerts/alert-evaluator.js'
import { AnomalyDetector, type AnomalyOptions } from './core/anomalies/anomaly-detector.js'
import { AlertService } from './core/alerts/alert-service.js'
import { observedAudit } from './core/alerts/audit-signals.js'
import { IntegrityMonitor, type IntegrityDeps } from './core/alerts/integrity-monitor.js'
import type { AuditSink } from './core/ports/audit-sink.js'
import type { Bus } from './core/ports/bus.js'
import type { Logger } from './core/ports/logger.js'
import type { ScheduledJob, Scheduler } from './core/ports/scheduler.js'
import { logTaskEvents } from './core/tasks/task-log.js'

/** The observability part of the node's configuration (`NodeConfig.observability`). */
export interface ObservabilityConfig {
  /** OTLP/HTTP endpoint that receives the task traces (`AGENTMESH_OTLP_URL`); none: not exported. */
  otlpUrl: string | undefined
  /** How long spans wait to be batched into one export. */
  otlpExportDelayMs: number
  /** How often the ledger and the audit log are verified (`AGENTMESH_VERIFY_INTERVAL_MS`). */
  verifyIntervalMs: number
  /** How often the alert rules are evaluated on a timer (reading `/v1/alerts` evaluates too). */
  alertEvaluateIntervalMs: number
  alerts: AlertOptions
  /**
   * What anomaly detection learns and how sensitive it is (`AGENTMESH_ANOMALY_SENSITIVITY`), and
   * by how much an anomalous agent's reputation is lowered for ranking
   * (`AGENTMESH_ANOMALY_RANKING_PENALTY`, 0 to 1).
   */
  anomalies: AnomalyOptions & { rankingPenalty: number }
  /** Distinct values one metric label may take (capabilities, currencies) before `other`. */
  maxLabelValues: number
  /** Agents given an `agentmesh_agent_up` series. */
  maxAgentSeries: number
}

/** Metrics, traces and alerts of one node, built by the composition root. */
export interface Observability {
  metrics: NodeMetrics
  alerts: AlertService
  /** Learns each agent's normal from task outcomes; feeds `AgentAnomalous` and ranking. */
  anomalies: AnomalyDetector
  tracer: OtelTracer
  /** An audit sink whose ledger and sign-in events also feed metrics and alerts. */
  observe(audit: AuditSink): AuditSink
  /** Starts verifying the ledger and the audit log on the configured schedule. */
  startIntegrity(deps: Omit<IntegrityDeps, 'clock'>): IntegrityMonitor
  /** Stops its jobs and subscriptions and exports the spans still buffered. */
  stop(): Promise<void>
}

/** Part of the composition root: wires metrics, the tracer and alerts to the bus and the clock. */
export function startObservability(input: {
  config: ObservabilityConfig
  bus: Bus
  logger: Logger
  key: KeyPair
  version: string
  scheduler: Scheduler
}): Observability {
  const { config, bus, logger, scheduler } = input
  const metrics = new NodeMetrics({
    registry: new Registry(),
    bus,
    maxLabelValues: config.maxLabelValues,
    maxAgentSeries: config.maxAgentSeries,
  })
  const anomalies = new AnomalyDetector(config.anomalies)
  const alerts = new AlertService({ bus, clock: systemClock, logger, anomalies }, config.alerts)
  new Gauge({
    name: 'agentmesh_agent_anomalous',
    help: 'Metrics (latency, error rate, output size, price) of an agent out of their learned normal now',
    labelNames: ['agent_id'],
    registers: [metrics.registry],
    collect() {
      this.reset()
      const found = anomalies.active(systemClock.now()).slice(0, config.maxAgentSeries)
      for (const anomaly of found) this.inc({ agent_id: anomaly.agentId })
    },
  })
  const tracer = new OtelTracer({
    serviceName: 'agentmesh',
    serviceVersion: input.version,
    instanceId: input.key.did,
    otlpUrl: config.otlpUrl,
    exportDelayMs: config.otlpExportDelayMs,
  })
  metrics.start()
  alerts.start()
  const unlogTasks = logTaskEvents(bus, logger)
  const alertJob = scheduler.every('evaluating alerts', config.alertEvaluateIntervalMs, () => {
    alerts.evaluate()
  })
  let verifyJob: ScheduledJob | undefined
  return {
    metrics,
    alerts,
    anomalies,
    tracer,
    observe: (audit) =>
      observedAudit(audit, [
        (signal) => metrics.observeAudit(signal),
        (signal) => alerts.observeAudit(signal),
      ]),
    startIntegrity(deps) {
      const integrity = new IntegrityMonitor({ ...deps, clock: systemClock }, [
        (result) => alerts.verified(result),
        (result) => metrics.verified(result),
      ])
      verifyJob?.stop()
      verifyJob = scheduler.every('verifying', config.verifyIntervalMs, () =>
        integrity.run().then(() => undefined),
      )
      return integrity
    },
    async stop() {
      alertJob.stop()
      verifyJob?.stop()
      unlogTasks()
      alerts.stop()
      metrics.stop()
      await tracer
        .stop()
        .catch((error: unknown) => logger.error({ err: error }, 'exporting traces failed'))
    },
  }
}
