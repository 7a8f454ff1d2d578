import { AjvTaskValidator } from '../adapters/schema/task-schema-validator.js'
import { systemRandom } from '../adapters/system/system-random.js'
import { systemTimers } from '../adapters/system/system-timers.js'
import { MemoryWorkQueue } from '../adapters/queue/memory-work-queue.js'
import type { AnomalyDetector } from '../core/anomalies/anomaly-detector.js'
import { watchedOutcomes } from '../core/anomalies/watched-outcomes.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import { OracleReputation } from '../core/oracles/oracle-reputation.js'
import type { LedgerEscrow } from '../core/ledger/escrow-service.js'
import type { PermissionService } from '../core/auth/permission-service.js'
import type { Subscriptions } from '../core/ledger/subscriptions.js'
import type { OfferRequester } from '../core/negotiation/negotiation-types.js'
import { NegotiationService } from '../core/negotiation/negotiation-service.js'
import { PipelineService } from '../core/pipelines/pipeline-service.js'
import type { OutcomeSink } from '../core/ports/outcome-sink.js'
import type { ProviderDirectory } from '../core/ports/provider-directory.js'
import type { TaskTransport } from '../core/ports/task-transport.js'
import type { Tracer } from '../core/ports/tracer.js'
import type { ReputationService } from '../core/reputation/reputation-service.js'
import { TaskStats } from '../core/stats/task-stats.js'
import { releaseOrphanReservations } from '../core/tasks/orphan-reservations.js'
import { TaskService } from '../core/tasks/task-service.js'
import type { Task } from '../core/tasks/task-types.js'
import type { TaskStore } from '../core/tasks/task-store.js'
import type { TaskOwners } from '../core/ports/task-owners.js'
import type { Clock } from '../core/ports/clock.js'
import { idTimeMs } from '../core/ids.js'
import type { NodeBase } from './base.js'
import type { NodeModule } from './lifecycle.js'

/**
 * Tasks, negotiation, pipelines and task stats. Starting gives back the reservations of tasks a
 * crash kept from being stored (before any submission); stopping stops the runners, leaving
 * their tasks unfinished, to resume at the next start.
 */
export function tasksModule(
  base: NodeBase,
  deps: {
    audit: AuditLog
    escrow: LedgerEscrow
    reputation: ReputationService
    /** Learns each agent's normal from the outcomes reputation gets. */
    anomalies?: AnomalyDetector
    permissions: PermissionService
    subscriptions: Subscriptions
    directory: ProviderDirectory
    transport: TaskTransport
    offers: OfferRequester
    tracer: Tracer
    /** Where task outcomes go (before anomalies watch them); by default reputation alone. */
    outcomes?: OutcomeSink
    /** In a cluster: the leased task store, the tasks' owners, and how young a reservation is left alone. */
    cluster?: { tasks: TaskStore; owners: TaskOwners; orphanGraceMs: number }
  },
) {
  const { config, store, clock, bus, logger, key } = base
  const { audit, escrow, directory } = deps
  const common = { audit, bus, clock, random: systemRandom, timers: systemTimers }
  const negotiation = new NegotiationService(
    { ...common, store: store.negotiation, directory, offers: deps.offers },
    { defaultWindowMs: 2000, maxWindowMs: 30_000, maxProviders: 20 },
  )
  const oracles = new OracleReputation({
    store: store.oracles,
    clock,
    audit,
    nodeDid: key.did,
  })
  const tasks = new TaskService(
    {
      ...common,
      tasks: deps.cluster?.tasks ?? store.tasks,
      transport: deps.transport,
      escrow,
      outcomes: deps.anomalies
        ? watchedOutcomes(deps.outcomes ?? deps.reputation, deps.anomalies)
        : (deps.outcomes ?? deps.reputation),
      oracles,
      validator: new AjvTaskValidator(),
      nodeDid: key.did,
      directory,
      contracts: negotiation,
      policy: deps.permissions,
      subscriptions: deps.subscriptions,
      settlementPolicy: {
        latencyPenaltyBps: config.ledger.latencyPenaltyBps,
        feeBps: config.ledger.feeBps,
      },
      tracer: deps.tracer,
      logger,
      // Tasks a restart left unfinished are handed back through the work queue.
      resumeQueue: new MemoryWorkQueue<Task>(clock, { visibilityTimeoutMs: 30_000 }),
      ...(deps.cluster ? { owners: deps.cluster.owners } : {}),
    },
    {
      defaultTimeoutMs: 30_000,
      maxCandidates: 5,
      maxDepth: 5,
      bonusWindowMs: config.ledger.bonusWindowMs,
    },
  )
  const stats = new TaskStats({ bus, clock })
  return {
    name: 'tasks',
    negotiation,
    tasks,
    oracles,
    stats,
    pipelines: new PipelineService({ ...common, tasks, directory, runs: store.pipelines }),
    async start() {
      const orphans = await releaseOrphanReservations({
        held: (after, limit) => escrow.held(after, limit),
        tasks: orphanCheck(store.tasks, clock, deps.cluster?.orphanGraceMs),
        escrow,
        audit,
        nodeDid: key.did,
      })
      if (orphans > 0)
        logger.warn({ reservations: orphans }, 'released reservations of unstored tasks')
      stats.start()
    },
    async stop() {
      // Runners stop first (their tasks stay unfinished, to resume), so waiting requests answer.
      await tasks.stop()
      stats.stop()
    },
  } satisfies NodeModule & Record<string, unknown>
}

/**
 * In a cluster, another live node may hold a reservation whose task it is storing right now: a
 * reservation younger than `graceMs` counts as stored, so only old orphans are released.
 */
function orphanCheck(tasks: TaskStore, clock: Clock, graceMs: number | undefined) {
  if (graceMs === undefined) return tasks
  return {
    get: (id: string) => {
      const madeAtMs = idTimeMs(id)
      if (madeAtMs === undefined || clock.now() - madeAtMs < graceMs)
        return Promise.resolve({ id } as Task)
      return tasks.get(id)
    },
  }
}
