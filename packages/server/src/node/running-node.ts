import type { Federation } from './federation-host.js'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { NodeMetrics } from '../adapters/metrics/node-metrics.js'
import type { OtelTracer } from '../adapters/tracing/otel-tracer.js'
import type { ApiContext } from '../api/context.js'
import type { AlertService } from '../core/alerts/alert-service.js'
import type { IntegrityMonitor } from '../core/alerts/integrity-monitor.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import type { DiscoveryService } from '../core/discovery/discovery-service.js'
import type { LedgerService } from '../core/ledger/ledger-service.js'
import type { Bus } from '../core/ports/bus.js'
import type { Clock } from '../core/ports/clock.js'
import type { Escrow } from '../core/ports/escrow.js'
import type { Scheduler } from '../core/ports/scheduler.js'
import type { RegistryService } from '../core/registry/registry-service.js'
import type { ReputationService } from '../core/reputation/reputation-service.js'
import type { Store } from '../core/store.js'
import type { TaskService } from '../core/tasks/task-service.js'
import type { SandboxFactory } from './hosted-module.js'
import type { RunningDemo } from '../demo-package.js'

/** A started node. `stop()` finishes in-flight requests, closes the store and leaves nothing running. */
export interface RunningNode {
  url: string
  did: string
  adminToken: string
  /** Where the admin token was written, when the node has a data directory. */
  adminTokenFile: string | undefined
  app: FastifyInstance
  /** The services the API was built on. */
  context: ApiContext
  store: Store
  bus: Bus
  audit: AuditLog
  registry: RegistryService
  discovery: DiscoveryService
  logger: Logger
  /** Reputation, the node's outcome sink and reputation source. */
  reputation: ReputationService
  tasks: TaskService
  ledger: LedgerService
  escrow: Escrow
  /** Prometheus metrics (served at `/metrics`). */
  metrics: NodeMetrics
  alerts: AlertService
  /** The ledger and audit checks the node runs on a timer; `run()` runs them now. */
  integrity: IntegrityMonitor
  tracer: OtelTracer
  /** The demo agents and client, with `demo` on. */
  demo: RunningDemo | undefined
  /** Peering over libp2p, with `--p2p-listen`. */
  federation: Federation | undefined
  stop(): Promise<void>
}

/** Ports a test may drive instead of the system's. */
export interface NodePorts {
  /** The clock subscription periods run on. */
  subscriptionClock?: Clock
  /** Runs the node's periodic jobs (default: on timers). */
  scheduler?: Scheduler
  /** Makes the sandbox hosted agents run in (default: see `node/hosted-module.ts`). */
  sandbox?: SandboxFactory
}
