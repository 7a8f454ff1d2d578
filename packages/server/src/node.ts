import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair, parseAmount, type KeyPair } from '@agentmesh/protocol'
import { loadKey, saveKey } from '@agentmesh/sdk'
import type { FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import pinoPretty from 'pino-pretty'
import { MemoryBus } from './adapters/bus/memory-bus.js'
import { GroupCommit } from './adapters/store/group-commit.js'
import { AjvTaskValidator } from './adapters/schema/task-schema-validator.js'
import { AjvSchemaChecker } from './adapters/schema/ajv-schema-checker.js'
import { openStore } from './adapters/store/open-store.js'
import { systemClock } from './adapters/system/system-clock.js'
import { systemRandom } from './adapters/system/system-random.js'
import { systemTimers } from './adapters/system/system-timers.js'
import { ImportedAgents } from './adapters/transport/a2a-http/imported-agents.js'
import { AgentConnections } from './adapters/transport/websocket/agent-connections.js'
import { buildApi } from './api/build-api.js'
import type { ApiContext } from './api/context.js'
import type { NodeMetrics } from './adapters/metrics/node-metrics.js'
import type { OtelTracer } from './adapters/tracing/otel-tracer.js'
import type { AlertService } from './core/alerts/alert-service.js'
import type { IntegrityMonitor } from './core/alerts/integrity-monitor.js'
import { RoutingTransport } from './adapters/transport/router-transport.js'
import { AuditLog } from './core/audit/audit-log.js'
import { AuthService } from './core/auth/auth-service.js'
import { PermissionService } from './core/auth/permission-service.js'
import { BudgetService } from './core/ledger/budget-service.js'
import { LedgerEscrow } from './core/ledger/escrow-service.js'
import { LedgerService } from './core/ledger/ledger-service.js'
import { Subscriptions } from './core/ledger/subscriptions.js'
import { accountId, SYSTEM } from './core/ledger/types.js'
import { NegotiationService } from './core/negotiation/negotiation-service.js'
import { PipelineService } from './core/pipelines/pipeline-service.js'
import type { Bus } from './core/ports/bus.js'
import type { Clock } from './core/ports/clock.js'
import type { Escrow } from './core/ports/escrow.js'
import type { ProviderDirectory } from './core/ports/provider-directory.js'
import type { Store } from './core/store.js'
import { MarketplaceService } from './core/marketplace/marketplace-service.js'
import { Presence } from './core/registry/presence.js'
import { RegistryService } from './core/registry/registry-service.js'
import { ReputationService } from './core/reputation/reputation-service.js'
import { defaultScoring } from './core/reputation/score.js'
import { TaskStats } from './core/stats/task-stats.js'
import { releaseOrphanReservations } from './core/tasks/orphan-reservations.js'
import { ratableTasks } from './core/tasks/ratable-tasks.js'
import { TaskService } from './core/tasks/task-service.js'
import { DiscoveryService } from './core/discovery/discovery-service.js'
import { importDemo, type RunningDemo } from './demo-package.js'
import type { NodeConfig } from './node-config.js'
import { startObservability } from './observability.js'
export {
  agentmeshHome,
  DEFAULT_PORT,
  resolveNodeConfig,
  type NodeConfig,
  type NodeFlags,
} from './node-config.js'

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
  stop(): Promise<void>
}

function readVersion(): string {
  const pkg = createRequire(import.meta.url)('../package.json') as { version: string }
  return pkg.version
}

function nodeKey(dataDir: string | undefined): KeyPair {
  if (!dataDir) return generateKeyPair()
  const file = join(dataDir, 'node.key')
  if (existsSync(file)) return loadKey(file)
  const key = generateKeyPair()
  saveKey(file, key)
  return key
}

async function adminToken(auth: AuthService, did: string, dataDir: string | undefined) {
  const file = dataDir ? join(dataDir, 'admin.token') : undefined
  if (file && existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim()
    const valid = await auth.authenticate(saved).then(
      (caller) => caller.did === did,
      () => false,
    )
    if (valid) return { token: saved, file }
  }
  const { token } = await auth.issue(did, null, ['admin'])
  if (file) {
    writeFileSync(file, `${token}\n`, { mode: 0o600 })
    chmodSync(file, 0o600)
  }
  return { token, file }
}

/**
 * Starts the demo on a listening node, its credit coming out of the node's own (seeded) account.
 * Loaded only with --demo, as its libraries take a moment to load; a demo that fails to start is
 * logged, and the node runs on without it.
 */
async function startNodeDemo(
  config: NodeConfig,
  url: string,
  logger: Logger,
  ledger: LedgerService,
  nodeDid: string,
): Promise<RunningDemo | undefined> {
  try {
    const { startDemo } = await importDemo()
    return await startDemo(
      {
        url,
        logger,
        fund: async (did, amount, id) => {
          await ledger.transfer(
            {
              kind: 'posted',
              id,
              debitAccount: accountId(nodeDid, 'USD'),
              creditAccount: accountId(did, 'USD'),
              amountMicros: parseAmount(amount),
              code: 'transfer',
            },
            nodeDid,
          )
        },
      },
      {
        traffic: config.demoTraffic,
        keysDir: config.dataDir ? join(config.dataDir, 'demo') : undefined,
      },
    )
  } catch (error) {
    logger.error({ err: error }, 'starting the demo failed')
    return undefined
  }
}

/** Ports a test may drive instead of the system's. */
export interface NodePorts {
  /** The clock subscription periods run on. */
  subscriptionClock?: Clock
}

/** Starts a node: store, core services, HTTP API. */
export async function startNode(config: NodeConfig, ports: NodePorts = {}): Promise<RunningNode> {
  const logger = pino(
    { level: config.logLevel, base: null },
    config.logDestination ??
      (config.prettyLogs ? pinoPretty({ colorize: true, sync: true }) : undefined),
  )
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const key = nodeKey(config.dataDir)
  const store = await openStore(config.store)
  const bus = new MemoryBus((error, topic) =>
    logger.error({ err: error, topic }, 'bus handler failed'),
  )
  let headTimer: NodeJS.Timeout | undefined
  let expiryTimer: NodeJS.Timeout | undefined
  const observability = startObservability({
    config: config.observability,
    bus,
    logger,
    key,
    version: readVersion(),
  })
  const { metrics, alerts, tracer } = observability
  let importTimer: NodeJS.Timeout | undefined
  try {
    const audit = new AuditLog(
      { store: store.audit, clock: systemClock, key },
      {
        headEveryEntries: config.auditHeadEveryEntries,
        headEveryMs: config.auditHeadEveryMs,
        maxPageEntries: 1000,
      },
    )
    const ledger = new LedgerService({
      store: store.ledger,
      clock: systemClock,
      audit: observability.observe(audit),
      nodeDid: key.did,
      ...(config.ledger.groupCommitMs > 0
        ? { batcher: new GroupCommit({ windowMs: config.ledger.groupCommitMs }) }
        : {}),
    })
    const escrow = new LedgerEscrow(ledger, { feeBps: config.ledger.feeBps, nodeDid: key.did })
    const budgets = new BudgetService(ledger, systemClock)
    const subscriptions = new Subscriptions(ledger, ports.subscriptionClock ?? systemClock)
    const mint = (id: string, did: string, amount: string, currency: string) =>
      parseAmount(amount) === 0n
        ? Promise.resolve()
        : ledger
            .transfer(
              {
                kind: 'posted',
                id,
                debitAccount: accountId(SYSTEM.mint, currency),
                creditAccount: accountId(did, currency),
                amountMicros: parseAmount(amount),
                code: 'mint',
              },
              key.did,
            )
            .then(() => undefined)
    const auth = new AuthService(
      {
        store,
        clock: systemClock,
        random: systemRandom,
        audit: observability.observe(audit),
        // --grant: minted once per self-registered key (the id makes a second mint a no-op).
        onRegistered: (did) =>
          mint(
            `grant:${did}:${config.grant.currency}`,
            did,
            config.grant.amount,
            config.grant.currency,
          ),
        // A removed principal: no permissions cached, no agent socket left open.
        onRemoved: (did) => {
          permissions.forget(did)
          connections.closeAgent(did, 'principal removed')
        },
      },
      {
        nodeDid: key.did,
        closed: config.closed,
        nonceTtlMs: config.nonceTtlMs,
        sessionTtlMs: config.sessionTtlMs,
      },
    )
    await auth.ensurePrincipal(key.did, ['admin'])
    const permissions = new PermissionService({
      permissions: store.permissions,
      principals: store.principals,
      clock: systemClock,
      random: systemRandom,
      audit,
    })
    const reputation = new ReputationService(
      {
        store: store.reputation,
        clock: systemClock,
        audit,
        tasks: ratableTasks(store.tasks),
      },
      { ...defaultScoring, halfLifeMs: config.reputationHalfLifeMs },
    )
    const admin = await adminToken(auth, key.did, config.dataDir)
    if (config.demo) await mint(`demo-seed:${key.did}:USD`, key.did, '1000', 'USD')
    expiryTimer = setInterval(() => {
      ledger.expirePending().catch((error: unknown) => {
        logger.error({ err: error }, 'expiring pending transfers failed')
      })
    }, config.ledger.expiryIntervalMs)
    expiryTimer.unref()
    const presence = new Presence(systemClock, { ttlMs: config.presenceTtlMs })
    const registry = new RegistryService({
      store,
      clock: systemClock,
      audit,
      bus,
      schemas: new AjvSchemaChecker(),
      presence,
      logger,
    })
    const discovery = new DiscoveryService(
      { store, presence, reputation, bus, clock: systemClock },
      { weights: config.rankingWeights, defaultCurrency: 'USD' },
    )
    const marketplace = new MarketplaceService({
      store: store.marketplace,
      registry: store.registry,
      presence,
      audit,
      clock: systemClock,
    })
    // Presence writes still in flight; stop() waits for them before it closes the store.
    const presenceWrites = new Set<Promise<void>>()
    const onPresence = (agentId: string, online: boolean) => {
      if (online) presence.connected(agentId)
      else presence.disconnected(agentId)
      const write = reputation.recordPresence(agentId, online, systemClock.now())
      presenceWrites.add(write)
      void write.finally(() => presenceWrites.delete(write)).catch(() => {})
      return write
    }
    const connections = new AgentConnections({
      connected: (agentId) => onPresence(agentId, true),
      disconnected: (agentId) => onPresence(agentId, false),
      heartbeat: (agentId) => presence.heartbeat(agentId),
      setLoad: (agentId, inFlight) => presence.setLoad(agentId, inFlight),
    })
    // External A2A agents, called over HTTP; online while their card URL answers.
    const imports = new ImportedAgents(
      { nodeKey: key, registry, presence, logger },
      config.outbound,
    )
    importTimer = setInterval(
      () => void imports.check(),
      Math.max(100, Math.floor(config.presenceTtlMs / 2)),
    )
    importTimer.unref()
    const directory: ProviderDirectory = {
      candidates: (query) => discovery.candidates(query),
      knows: async (capabilityId) =>
        (await store.registry.match({ terms: [], capabilityId, limit: 1 })).length > 0,
    }
    const negotiation = new NegotiationService(
      {
        store: store.negotiation,
        directory,
        offers: connections,
        audit,
        clock: systemClock,
        random: systemRandom,
        bus,
        timers: systemTimers,
      },
      { defaultWindowMs: 2000, maxWindowMs: 30_000, maxProviders: 20 },
    )
    const tasks = new TaskService(
      {
        tasks: store.tasks,
        transport: new RoutingTransport(connections, imports),
        escrow,
        outcomes: reputation,
        audit,
        bus,
        clock: systemClock,
        timers: systemTimers,
        validator: new AjvTaskValidator(),
        nodeDid: key.did,
        directory,
        random: systemRandom,
        contracts: negotiation,
        policy: permissions,
        subscriptions,
        settlementPolicy: {
          latencyPenaltyBps: config.ledger.latencyPenaltyBps,
          feeBps: config.ledger.feeBps,
        },
        tracer,
        logger,
      },
      {
        defaultTimeoutMs: 30_000,
        maxCandidates: 5,
        maxDepth: 5,
        bonusWindowMs: config.ledger.bonusWindowMs,
      },
    )
    // Before any submission: a reservation whose task a crash kept from being stored goes back now.
    const orphans = await releaseOrphanReservations({
      held: (after, limit) => escrow.held(after, limit),
      tasks: store.tasks,
      escrow,
      audit,
      nodeDid: key.did,
    })
    if (orphans > 0)
      logger.warn({ reservations: orphans }, 'released reservations of unstored tasks')
    const pipelines = new PipelineService({
      tasks,
      directory,
      runs: store.pipelines,
      bus,
      clock: systemClock,
      random: systemRandom,
      timers: systemTimers,
      audit,
    })
    const stats = new TaskStats({ bus, clock: systemClock })
    stats.start()
    const context: ApiContext = {
      nodeDid: key.did,
      version: readVersion(),
      mode: 'embedded',
      currencies: ['USD'],
      store,
      bus,
      auth,
      permissions,
      reputation,
      audit,
      ledger,
      budgets,
      subscriptions,
      registry,
      discovery,
      marketplace,
      tasks,
      pipelines,
      negotiation,
      stats,
      connections,
      imports,
      clock: systemClock,
      metrics,
      alerts,
    }
    const app = await buildApi(context, {
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      rateLimit: config.rateLimit,
      // Public on an open node unless a metrics token is set; a closed node keeps them private.
      metrics: {
        token: config.metricsToken,
        protected: config.closed || config.metricsToken !== undefined,
      },
      dashboardDir: config.dashboard
        ? fileURLToPath(new URL('../../dashboard/dist', import.meta.url))
        : undefined,
    })
    await audit.signHead(systemClock.now())
    headTimer = setInterval(
      () => {
        audit
          .signHeadIfDue(systemClock.now())
          .catch((error: unknown) => logger.error({ err: error }, 'signing the audit head failed'))
      },
      Math.min(1000, config.auditHeadEveryMs),
    )
    headTimer.unref()
    const address = await app.listen({ host: config.host, port: config.port })
    // Tasks a previous run left unfinished resume within their deadline.
    const resumed = await tasks.recover()
    if (resumed > 0) logger.info({ tasks: resumed }, 'resumed unfinished tasks')
    const integrity = observability.startIntegrity({ ledger, audit, nodeDid: key.did })
    // Missed heartbeats turn into offline events within a few seconds.
    const sweep = setInterval(() => presence.sweep(), Math.min(5000, config.presenceTtlMs / 3))
    sweep.unref()
    const url = address.replace('[::1]', 'localhost')
    const demo = config.demo ? await startNodeDemo(config, url, logger, ledger, key.did) : undefined
    let stopping: Promise<void> | undefined
    return {
      url,
      did: key.did,
      adminToken: admin.token,
      adminTokenFile: admin.file,
      app,
      context,
      store,
      bus,
      audit,
      registry,
      discovery,
      logger,
      ledger,
      escrow,
      reputation,
      tasks,
      metrics,
      alerts,
      integrity,
      tracer,
      demo,
      stop: () =>
        (stopping ??= (async () => {
          // The demo first: no new demo tasks, the ones in flight finish, its agents disconnect.
          await demo?.stop()
          clearInterval(headTimer)
          clearInterval(expiryTimer)
          clearInterval(importTimer)
          clearInterval(sweep)
          // Runners stop first (their tasks stay unfinished, to resume), so waiting requests answer.
          await tasks.stop()
          stats.stop()
          connections.closeAll()
          await app.close()
          await Promise.allSettled([...presenceWrites])
          await registry.flush()
          await audit.flush()
          await audit
            .signHead(systemClock.now())
            .catch((error: unknown) =>
              logger.error({ err: error }, 'signing the audit head failed'),
            )
          await observability.stop()
          await bus.stop()
          await store.close()
        })()),
    }
  } catch (error) {
    clearInterval(headTimer)
    clearInterval(expiryTimer)
    await observability.stop()
    clearInterval(importTimer)
    await store.close()
    throw error
  }
}
