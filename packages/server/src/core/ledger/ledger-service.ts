import { formatAmount, MeshError } from '@agentmesh/protocol'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Batcher } from '../ports/batcher.js'
import type { Clock } from '../ports/clock.js'
import type { LedgerStore, LedgerTransaction } from './ledger-store.js'
import { LedgerVerifier, type VerifyReport } from './ledger-verifier.js'
import { applyBatch, type LedgerOp } from './state-machine.js'
import { succeeded, transferError } from './transfer-errors.js'
import {
  newAccount,
  parseAccountId,
  type Account,
  type Transfer,
  type TransferCode,
  type TransferInput,
  type TransferResult,
} from './types.js'

const EXPIRE_BATCH = 500

const auditActions: Record<LedgerOp['kind'], string> = {
  posted: 'transfer.created',
  pending: 'transfer.pending',
  post: 'transfer.posted',
  void: 'transfer.voided',
  expire: 'transfer.expired',
}

/** The accounts an operation touches, once the transfers it names are known. */
function accountsOf(op: LedgerOp, transfers: ReadonlyMap<string, Transfer>): string[] {
  if (op.kind === 'posted' || op.kind === 'pending') {
    return [op.debitAccount, op.creditAccount].filter((id) => parseAccountId(id) !== undefined)
  }
  const pending = transfers.get(op.pendingId)
  return pending ? [pending.debitAccount, pending.creditAccount] : []
}

/**
 * The ledger: double-entry accounts and two-phase transfers with client-chosen ids, after
 * TigerBeetle. Every batch runs in one store transaction (shared with other callers' batches under
 * group commit) and answers each item with its own result.
 */
export class LedgerService {
  readonly #store: LedgerStore
  readonly #clock: Clock
  readonly #audit: AuditSink
  readonly #actor: string
  readonly #submit: (ops: LedgerOp[]) => Promise<TransferResult[]>

  constructor(deps: {
    store: LedgerStore
    clock: Clock
    audit: AuditSink
    /** Group commit; without it every batch has a transaction of its own. */
    batcher?: Batcher
    /** Who acts for the node itself (expiry): the node's DID. */
    nodeDid: string
  }) {
    this.#store = deps.store
    this.#clock = deps.clock
    this.#audit = deps.audit
    this.#actor = deps.nodeDid
    const run = (ops: LedgerOp[]) => this.#run(ops, this.#clock.now())
    this.#submit = deps.batcher ? deps.batcher.wrap(run) : run
  }

  /**
   * Creates transfers; answers one result per input, in order. A linked chain left open at the end
   * is refused here, so that group commit never links one caller's items to another's.
   */
  async createTransfers(
    inputs: readonly TransferInput[],
    actor: string,
  ): Promise<TransferResult[]> {
    let open = inputs.length
    while (open > 0 && inputs[open - 1]!.linked === true) open--
    const closed = open === inputs.length ? inputs : inputs.slice(0, open)
    const results = closed.length > 0 ? await this.#submit([...closed]) : []
    for (const input of inputs.slice(open))
      results.push({ id: input.id, result: 'linked_event_chain_open' })
    await this.#record(inputs, results, actor)
    return results
  }

  /** Creates one transfer (or finds it again, for a retry); throws the catalogue's error otherwise. */
  async transfer(input: TransferInput, actor: string): Promise<Transfer> {
    const [result] = await this.createTransfers([{ ...input, linked: false }], actor)
    if (!result?.transfer || !succeeded(result)) throw transferError(result!, input)
    return result.transfer
  }

  /** Releases every pending transfer whose timeout passed by `nowMs`; answers how many. */
  async expirePending(nowMs: number = this.#clock.now()): Promise<number> {
    let expired = 0
    for (;;) {
      const due = await this.#store.duePending(nowMs, EXPIRE_BATCH)
      if (due.length === 0) return expired
      const ops = due.map((id): LedgerOp => ({ kind: 'expire', id, pendingId: id }))
      const results = await this.#run(ops, nowMs)
      await this.#record(ops, results, this.#actor)
      expired += results.filter((r) => r.result === 'ok').length
      if (due.length < EXPIRE_BATCH) return expired
    }
  }

  account(id: string): Promise<Account | undefined> {
    return this.#store.account(id)
  }

  /** The account, or a fresh one with zero balances when nothing has touched it yet. */
  async accountOrEmpty(id: string): Promise<Account> {
    const account = (await this.#store.account(id)) ?? newAccount(id, this.#clock.now())
    if (!account) throw new MeshError('INVALID_INPUT', `Account id "${id}" is not OWNER:CURRENCY`)
    return account
  }

  accountsOf(owner: string): Promise<Account[]> {
    return this.#store.accountsOf(owner)
  }

  getTransfer(id: string): Promise<Transfer | undefined> {
    return this.#store.transfer(id)
  }

  /** Pending transfers of a code still held, by id, strictly after `afterId`. */
  held(code: TransferCode, afterId: string, limit: number): Promise<Transfer[]> {
    return this.#store.heldTransfers(code, afterId, limit)
  }

  history(
    accountId: string,
    page: { limit: number; before?: { createdAtMs: number; id: string } },
  ): Promise<Transfer[]> {
    return this.#store.accountTransfers(accountId, page)
  }

  /** Recomputes every balance from the transfers and checks the ledger's invariants. */
  async verify(): Promise<VerifyReport> {
    const verifier = new LedgerVerifier()
    const accounts: Account[] = []
    await this.#store.scan({
      accounts: (page) => accounts.push(...page),
      transfers: (page) => page.forEach((t) => verifier.add(t)),
    })
    return verifier.finish(accounts)
  }

  /** Runs `work` on locked accounts in one transaction (budgets use it). */
  withAccounts<T>(
    ids: string[],
    work: (accounts: Map<string, Account>, tx: LedgerTransaction, nowMs: number) => Promise<T>,
  ): Promise<T> {
    return this.#store.transaction(async (tx) => {
      const nowMs = this.#clock.now()
      const fresh = ids.map((id) => newAccount(id, nowMs))
      if (fresh.some((a) => a === undefined)) {
        throw new MeshError('INVALID_INPUT', `Account ids ${ids.join(', ')} are not OWNER:CURRENCY`)
      }
      return work(await tx.lockAccounts(fresh as Account[]), tx, nowMs)
    })
  }

  #run(ops: LedgerOp[], nowMs: number): Promise<TransferResult[]> {
    const ids = [
      ...new Set(ops.flatMap((op) => ('pendingId' in op ? [op.id, op.pendingId] : [op.id]))),
    ]
    return this.#store.transaction(async (tx) => {
      let transfers = await tx.transfers(ids)
      const accounts = new Map<string, Account>()
      // Lock what the batch touches; a pending transfer found only after locking may name more.
      for (;;) {
        const missing = [...new Set(ops.flatMap((op) => accountsOf(op, transfers)))].filter(
          (id) => !accounts.has(id),
        )
        if (missing.length === 0) break
        const locked = await tx.lockAccounts(missing.map((id) => newAccount(id, nowMs)!))
        for (const [id, account] of locked) accounts.set(id, account)
        transfers = await tx.transfers(ids)
      }
      const outcome = applyBatch({ accounts, transfers }, ops, nowMs)
      await tx.insertTransfers(outcome.createdTransfers)
      await tx.setPendingStates(outcome.resolved)
      await tx.saveAccounts(outcome.changedAccounts)
      return outcome.results
    })
  }

  async #record(ops: readonly LedgerOp[], results: TransferResult[], actor: string): Promise<void> {
    for (const [i, result] of results.entries()) {
      const op = ops[i]!
      const t = result.transfer
      if (result.result === 'exists' || result.result.startsWith('linked_event')) continue
      await this.#audit.record({
        actor,
        action: auditActions[op.kind],
        resource: `transfer:${result.id}`,
        result: result.result === 'ok' ? 'ok' : 'denied',
        details: t
          ? {
              code: t.code,
              amount: formatAmount(t.amountMicros),
              currency: t.currency,
              debitAccount: t.debitAccount,
              creditAccount: t.creditAccount,
              ...(t.reference === null ? {} : { reference: t.reference }),
              ...(t.pendingId === null ? {} : { pendingId: t.pendingId }),
            }
          : { reason: result.result },
      })
    }
  }
}
