import { mkdirSync } from 'node:fs'
import { pino } from 'pino'
import pinoPretty from 'pino-pretty'
import { MemoryBus } from './adapters/bus/memory-bus.js'
import { openStore } from './adapters/store/open-store.js'
import { FederationSlot } from './adapters/transport/federation/federation-slot.js'
import { p2pWitnessHandler } from './adapters/witness/p2p-witness.js'
import { AjvSchemaChecker } from './adapters/schema/ajv-schema-checker.js'
import { systemClock } from './adapters/system/system-clock.js'
import { TimerScheduler } from './adapters/system/timer-scheduler.js'
import type { ApiContext } from './api/context.js'
import type { TaskService } from './core/tasks/task-service.js'
import type { NodeConfig } from './node-config.js'
import { apiModule } from './node/api-module.js'
import { authModule } from './node/auth-module.js'
import { demoModule } from './node/demo-module.js'
import { hostedModule } from './node/hosted-module.js'
import { knowledgeParts } from './node/knowledge-module.js'
import { federationModule } from './node/federation-module.js'
import { flModule } from './node/fl-module.js'
import { nodeKey, readVersion } from './node/identity.js'
import { auditModule, ledgerModule } from './node/ledger-module.js'
import { Lifecycle } from './node/lifecycle.js'
import { proofsModule } from './node/proofs-module.js'
import { registryModule } from './node/registry-module.js'
import type { NodePorts, RunningNode } from './node/running-node.js'
import { tasksModule } from './node/tasks-module.js'
import { pushModule } from './node/push-module.js'
import { clusterNetwork } from './node/cluster-network.js'
import { clusterModule, clusterOwners, leaseReleaseModule } from './node/cluster-module.js'
import { nodeLoadMetric } from './node/node-load-metric.js'
import { clusterHostedLeases, clusterTasks, clusterTransport } from './node/cluster-parts.js'
import { transportModule } from './node/transport-module.js'
import { rateCountsModule } from './node/rate-counts-module.js'
import { startObservability } from './observability.js'
export { resolveNodeConfig, type NodeConfig } from './node-config.js'
export type { NodePorts, RunningNode } from './node/running-node.js'

/**
 * Starts a node: its modules one after another (store, bus, observability, audit, ledger, auth,
 * registry, transports, API, tasks, then listening, resuming and the demo). `stop()` stops them in
 * reverse order; a start that fails half-way stops the modules already started, then rethrows.
 */
export async function startNode(config: NodeConfig, ports: NodePorts = {}): Promise<RunningNode> {
  const logger = pino(
    { level: config.logLevel, base: null },
    config.logDestination ??
      (config.prettyLogs ? pinoPretty({ colorize: true, sync: true }) : undefined),
  )
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const key = nodeKey(config.dataDir)
  const clock = systemClock
  const scheduler = ports.scheduler ?? new TimerScheduler(logger)
  const lifecycle = new Lifecycle(logger)
  const store = await openStore(config.store)
  await lifecycle.start({ name: 'store', stop: () => store.close() })
  return lifecycle.build(async () => {
    // Cluster mode (--bus nats://…): the bus, presence and task leases shared with other nodes.
    const net = config.cluster
      ? await lifecycle.start(
          clusterNetwork({
            cluster: config.cluster,
            store: config.store,
            key,
            clock,
            logger,
            presenceTtlMs: config.presenceTtlMs,
          }),
        )
      : undefined
    const bus =
      net?.bus ??
      new MemoryBus((error, topic) => logger.error({ err: error, topic }, 'bus handler failed'))
    await lifecycle.start({ name: 'bus', stop: () => bus.stop() })
    const base = { config, key, logger, store, bus, clock, scheduler }
    const observability = startObservability({
      config: config.observability,
      bus,
      logger,
      key,
      version: readVersion(),
      scheduler,
    })
    await lifecycle.start({ name: 'observability', stop: () => observability.stop() })
    const { metrics, alerts, tracer } = observability
    const { audit } = await lifecycle.start(auditModule(base))
    const { ledger, escrow, budgets, subscriptions, mint } = await lifecycle.start(
      ledgerModule(base, { audit, observability, subscriptionClock: ports.subscriptionClock }),
    )
    let closeAgent = (_did: string, _reason: string): void => {}
    const { auth, permissions, reputation, admin } = await lifecycle.start(
      authModule(base, { audit, observability, mint, closeAgent: (d, r) => closeAgent(d, r) }),
    )
    const { presence, registry, discovery, directory, bookkeeping, marketplace } =
      await lifecycle.start(
        registryModule(base, {
          audit,
          reputation,
          anomalies: observability.anomalies,
          ...(net ? { presenceStore: net.presence } : {}),
        }),
      )
    const { knowledge, outcomes } = knowledgeParts(base, { audit, reputation, registry })
    const remote = net && clusterTransport(net, config, base)
    // The task service comes after the transports; guests' ctx.call reaches it once it exists.
    const late: { tasks?: TaskService } = {}
    // In a cluster each started hosted agent runs on the one node holding its lease.
    const hostedLeases = net && clusterHostedLeases(net, config, base)
    const { hosted, templates, ...sandbox } = await lifecycle.start(
      hostedModule(base, {
        audit,
        ledger,
        registry,
        presence,
        metricsRegistry: metrics.registry,
        sandbox: ports.sandbox,
        placement: hostedLeases,
        tasks: () => late.tasks!,
      }),
    )
    const federationSlot = new FederationSlot()
    const { connections, imports, transport } = await lifecycle.start(
      transportModule(base, {
        key,
        registry,
        presence,
        bookkeeping,
        hosted: sandbox,
        federation: federationSlot,
        ...(remote ? { cluster: remote } : {}),
      }),
    )
    if (remote) await lifecycle.start(remote.module(connections, sandbox))
    nodeLoadMetric(metrics.registry, connections)
    const leased = net && clusterTasks(net, config, base, store)
    closeAgent = (did, reason) => connections.closeAgent(did, reason)
    const taskModule = tasksModule(base, {
      audit,
      escrow,
      reputation,
      anomalies: observability.anomalies,
      permissions,
      subscriptions,
      directory: federationSlot.directory(directory),
      transport,
      tracer,
      offers: connections,
      outcomes,
      ...(net && leased
        ? {
            cluster: {
              tasks: leased,
              owners: clusterOwners(net, config.cluster!, base),
              orphanGraceMs: config.cluster!.orphanGraceMs,
            },
          }
        : {}),
    })
    const { tasks, pipelines, negotiation, stats, oracles } = taskModule
    const { proofs } = await lifecycle.start(
      proofsModule(base, {
        audit,
        auditSink: observability.observe(audit),
        federation: () => federationSlot.current,
      }),
    )
    late.tasks = tasks
    const federated = flModule(base, { audit, ledger, reputation, permissions, directory, tasks })
    const { push } = await lifecycle.start(pushModule(base))
    const context: ApiContext = {
      nodeDid: key.did,
      version: readVersion(),
      mode: net ? 'cluster' : 'embedded',
      currencies: ['USD'],
      store,
      bus,
      auth,
      permissions,
      reputation,
      oracles,
      anomalies: observability.anomalies,
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
      clock,
      metrics,
      alerts,
      proofs,
      hosted,
      templates,
      push,
      federation: federationSlot,
      knowledge,
      fl: federated.fl,
    }
    // In a cluster, rate limits count every node's requests.
    const rateCounts = net && (await lifecycle.start(rateCountsModule(base, net.nodeId))).counts
    const { app } = await lifecycle.start(
      apiModule(config, { context, connections, logger, rateCounts }),
    )
    // Stopped after the runners: a draining node's leases lapse at once, for the others to take.
    if (leased && hostedLeases)
      await lifecycle.start(
        leaseReleaseModule(base, leased, { service: hosted, leases: hostedLeases }),
      )
    // Before any submission: a reservation whose task a crash kept from being stored goes back now.
    await lifecycle.start(taskModule)
    // After the tasks: its jobs' rounds stop before the task runners do.
    await lifecycle.start(federated)
    if (config.federation) {
      await lifecycle.start(
        federationModule(federationSlot, {
          config: config.federation,
          key,
          logger,
          clock,
          registry,
          presence,
          localDirectory: directory,
          tasks,
          ledger,
          audit,
        }),
      )
      // Peers ask this node to witness their tree heads over the federation's witness stream.
      federationSlot.current?.handleWitness(
        p2pWitnessHandler(proofs.witness, new AjvSchemaChecker()),
      )
    }
    await audit.signHead(clock.now())
    const address = await app.listen({ host: config.host, port: config.port })
    // Tasks a previous run left unfinished resume within their deadline.
    const resumed = await tasks.recover()
    if (resumed > 0) logger.info({ tasks: resumed }, 'resumed unfinished tasks')
    const integrity = observability.startIntegrity({ ledger, audit, nodeDid: key.did })
    const url = address.replace('[::1]', 'localhost')
    if (net && leased) {
      const deps = { cluster: config.cluster!, net, tasks, leased, connections, url }
      const hostedDeps = { service: hosted, leases: hostedLeases! }
      const running = await lifecycle.start(
        clusterModule(
          { ...base, scheduler },
          { ...deps, hosted: hostedDeps, registry: metrics.registry },
        ),
      )
      context.cluster = {
        nodeId: net.nodeId,
        ping: (timeoutMs) => net.link.ping(timeoutMs),
        view: () => running.view(),
        draining: () => running.draining,
      }
    }
    const nodeDid = key.did
    const { demo } = await lifecycle.start(
      demoModule(config, { url, logger, ledger, nodeDid, auth }),
    )
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
      federation: federationSlot.current,
      stop: () => (stopping ??= lifecycle.stop()),
    }
  })
}
