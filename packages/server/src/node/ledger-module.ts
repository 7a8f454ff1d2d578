import type { Observability } from '../observability.js'
import { GroupCommit } from '../adapters/store/group-commit.js'
import { AuditLog } from '../core/audit/audit-log.js'
import { BudgetService } from '../core/ledger/budget-service.js'
import { LedgerEscrow } from '../core/ledger/escrow-service.js'
import { minter, type Mint } from '../core/ledger/grants.js'
import { LedgerService } from '../core/ledger/ledger-service.js'
import { Subscriptions } from '../core/ledger/subscriptions.js'
import type { Clock } from '../core/ports/clock.js'
import type { ScheduledJob } from '../core/ports/scheduler.js'
import type { NodeBase } from './base.js'
import type { NodeModule } from './lifecycle.js'

/** The audit log; stopping flushes it and signs its last head. */
export function auditModule(base: NodeBase): NodeModule & { audit: AuditLog } {
  const { config, store, clock, key, logger, scheduler } = base
  const audit = new AuditLog(
    { store: store.audit, clock, key },
    {
      headEveryEntries: config.auditHeadEveryEntries,
      headEveryMs: config.auditHeadEveryMs,
      maxPageEntries: 1000,
    },
  )
  let job: ScheduledJob | undefined
  return {
    name: 'audit',
    audit,
    start() {
      job = scheduler.every('signing the audit head', Math.min(1000, config.auditHeadEveryMs), () =>
        audit.signHeadIfDue(clock.now()).then(() => undefined),
      )
    },
    async stop() {
      job?.stop()
      await audit.flush()
      await audit
        .signHead(clock.now())
        .catch((error: unknown) => logger.error({ err: error }, 'signing the audit head failed'))
    },
  }
}

/** The ledger, escrow, budgets, subscriptions and the mint; pending transfers expire on a timer. */
export function ledgerModule(
  base: NodeBase,
  deps: { audit: AuditLog; observability: Observability; subscriptionClock: Clock | undefined },
) {
  const { config, store, clock, key, scheduler } = base
  const ledger = new LedgerService({
    store: store.ledger,
    clock,
    audit: deps.observability.observe(deps.audit),
    nodeDid: key.did,
    ...(config.ledger.groupCommitMs > 0
      ? { batcher: new GroupCommit({ windowMs: config.ledger.groupCommitMs }) }
      : {}),
  })
  const mint: Mint = minter(ledger, key.did)
  let job: ScheduledJob | undefined
  return {
    name: 'ledger',
    ledger,
    escrow: new LedgerEscrow(ledger, { feeBps: config.ledger.feeBps, nodeDid: key.did }),
    budgets: new BudgetService(ledger, clock),
    subscriptions: new Subscriptions(ledger, deps.subscriptionClock ?? clock),
    mint,
    start() {
      job = scheduler.every('expiring pending transfers', config.ledger.expiryIntervalMs, () =>
        ledger.expirePending().then(() => undefined),
      )
    },
    stop: () => job?.stop(),
  } satisfies NodeModule & Record<string, unknown>
}
