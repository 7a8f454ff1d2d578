import type { Registry } from 'prom-client'
import { HostedMetrics } from '../adapters/metrics/hosted-metrics.js'
import { LazySandbox } from '../adapters/sandbox/lazy-sandbox.js'
import { createQuickJsSandbox } from '../adapters/sandbox/quickjs-sandbox.js'
import { AjvSchemaChecker } from '../adapters/schema/ajv-schema-checker.js'
import type { CallService } from '../adapters/transport/sandbox/sandbox-host.js'
import { SandboxTransport } from '../adapters/transport/sandbox/sandbox-transport.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import { HostedLogs } from '../core/hosted/hosted-logs.js'
import { HostedService } from '../core/hosted/hosted-service.js'
import { localPlacement } from '../core/hosted/local-placement.js'
import { ResourceBilling } from '../core/hosted/resource-billing.js'
import { TemplateService } from '../core/hosted/template-service.js'
import type { LedgerService } from '../core/ledger/ledger-service.js'
import type { HostedPlacement } from '../core/ports/hosted-placement.js'
import type { Sandbox } from '../core/ports/sandbox.js'
import type { Presence } from '../core/registry/presence.js'
import type { RegistryService } from '../core/registry/registry-service.js'
import type { NodeBase } from './base.js'
import type { NodeModule } from './lifecycle.js'

/** Makes the node's sandbox: the one place a node picks its engine. */
export type SandboxFactory = (base: NodeBase) => Sandbox

/**
 * The engine a node runs hosted agents in when no other is given: QuickJS-wasm in worker threads
 * (`adapters/sandbox/`), started when the first hosted agent is loaded.
 */
const defaultSandbox = (_base: NodeBase): Sandbox => new LazySandbox(() => createQuickJsSandbox())

/**
 * Hosted agents and their templates: the service, the sandbox transport the router sends their
 * tasks to, the resource billing of their owners, their logs (in the store) and their metrics.
 * Starting brings back the started agents no node serves (after a restart: all of them, served
 * again from their stored code); stopping writes the logs still queued and ends the sandbox.
 *
 * `placement` says which node serves each agent: without one, this node serves them all; a
 * cluster passes its hosted-agent leases, so that each runs on one node at a time.
 */
export function hostedModule(
  base: NodeBase,
  deps: {
    audit: AuditLog
    ledger: LedgerService
    registry: RegistryService
    presence: Presence
    metricsRegistry: Registry
    sandbox: SandboxFactory | undefined
    placement: HostedPlacement | undefined
    /** The task service, for guests' `ctx.call`; bound once the tasks module exists. */
    tasks: () => CallService
  },
) {
  const { config, store, clock, logger, key } = base
  const sandbox = (deps.sandbox ?? defaultSandbox)(base)
  const schemas = new AjvSchemaChecker()
  const logs = new HostedLogs(store.hostedLogs, config.hosted.logLines, (error) =>
    logger.warn({ err: error }, 'writing hosted agents’ log lines failed'),
  )
  const hosted = new HostedService({
    store: store.hosted,
    registry: deps.registry,
    presence: deps.presence,
    schemas,
    audit: deps.audit,
    clock,
    logs,
    policy: config.hosted,
    sandbox,
    placement: deps.placement ?? localPlacement(store.hosted),
  })
  const metrics = new HostedMetrics(
    deps.metricsRegistry,
    () => hosted.all(),
    config.hosted.price.currency,
  )
  const billing = new ResourceBilling(deps.ledger, key.did)
  const templates = new TemplateService({
    store: store.templates,
    hosted,
    registry: deps.registry,
    schemas,
    audit: deps.audit,
    clock,
    ledger: deps.ledger,
  })
  const transport = new SandboxTransport({
    sandbox,
    hosted,
    billing,
    clock,
    tasks: deps.tasks,
    outbound: config.outbound,
    onCall: (outcome, cost) => metrics.call(outcome, cost, config.hosted.price.currency),
  })
  return {
    name: 'hosted agents',
    hosted,
    templates,
    transport,
    isStarted: (agentId: string) => hosted.isStarted(agentId),
    async start() {
      const restored = await hosted.restore()
      if (restored > 0) logger.info({ agents: restored }, 'restarted hosted agents')
    },
    async stop() {
      await logs.flush()
      await sandbox.stop()
    },
  } satisfies NodeModule & Record<string, unknown>
}
