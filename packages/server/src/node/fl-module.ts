import { AjvTaskValidator } from '../adapters/schema/task-schema-validator.js'
import { systemRandom } from '../adapters/system/system-random.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import type { PermissionService } from '../core/auth/permission-service.js'
import { FlBudget } from '../core/fl/fl-budget.js'
import { FlService } from '../core/fl/fl-service.js'
import type { LedgerService } from '../core/ledger/ledger-service.js'
import type { ProviderDirectory } from '../core/ports/provider-directory.js'
import type { ReputationService } from '../core/reputation/reputation-service.js'
import type { TaskService } from '../core/tasks/task-service.js'
import type { NodeBase } from './base.js'
import type { NodeModule } from './lifecycle.js'

/**
 * Federated learning: the node as aggregator of jobs (`/v1/fl/jobs`), sending rounds as tasks,
 * paying accepted updates from each job's escrow. Starting ends as failed the jobs a previous run
 * of this node left running (their budget goes back); stopping stops the running jobs' rounds,
 * before the task runners stop.
 */
export function flModule(
  base: NodeBase,
  deps: {
    audit: AuditLog
    ledger: LedgerService
    reputation: ReputationService
    permissions: PermissionService
    directory: ProviderDirectory
    tasks: TaskService
  },
) {
  const { config, store, clock, bus, logger, key } = base
  const fl = new FlService({
    store: store.fl,
    certificates: store.certificates,
    budget: new FlBudget(deps.ledger, { feeBps: config.ledger.feeBps, nodeDid: key.did }),
    outcomes: deps.reputation,
    audit: deps.audit,
    clock,
    random: systemRandom,
    directory: deps.directory,
    nodeDid: key.did,
    bus,
    tasks: deps.tasks,
    validator: new AjvTaskValidator(),
    policy: deps.permissions,
    logger,
  })
  return {
    name: 'federated learning',
    fl,
    async start() {
      const ended = await fl.recover()
      if (ended > 0)
        logger.warn({ jobs: ended }, 'ended the federated-learning jobs a stop left running')
    },
    stop: () => fl.stop(),
  } satisfies NodeModule & Record<string, unknown>
}
