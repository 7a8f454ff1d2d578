/**
 * The escrow and subscriptions in the ledger model test: reservations settled for one payee or a
 * quorum of several, refunds (whole or part, by all payees or one), subscription periods. Each
 * command predicts the outcome on the plain model and checks it against the real services.
 */
import { formatAmount, MeshError, type ErrorCode, type Pricing } from '@agentmesh/protocol'
import fc from 'fast-check'
import { expect } from 'vitest'
import { periodStartMs } from '../../../src/core/ledger/budget-rules.js'
import { LedgerEscrow } from '../../../src/core/ledger/escrow-service.js'
import type { LedgerService } from '../../../src/core/ledger/ledger-service.js'
import { platformFee } from '../../../src/core/ledger/pricing.js'
import { Subscriptions } from '../../../src/core/ledger/subscriptions.js'
import { errorCodeOf } from '../../../src/core/ledger/transfer-errors.js'
import {
  accountId,
  SYSTEM,
  type TransferInput,
  type TransferResultCode,
} from '../../../src/core/ledger/types.js'
import type { ManualClock } from '../../helpers/ledger.js'

export const FEE_BPS = 1_000

interface Balance {
  dp: bigint
  cp: bigint
  dpend: bigint
  cpend: bigint
}

/** What the escrow commands need of the plain model. */
export interface LedgerModel {
  users: string[]
  nowMs: number
  counter: number
  balances: Map<string, Balance>
  b(id: string): Balance
  available(id: string): bigint
  apply(op: TransferInput): TransferResultCode
  pendings: { id: string; amount: bigint; expiresAtMs: number; state: string; escrow?: boolean }[]
  /** The reservations made through the escrow, by reservation id. */
  tasks: ModelTask[]
}

interface Share {
  payee: string
  gross: bigint
  pay: bigint
  fee: bigint
}

export interface ModelTask {
  id: string
  payer: string
  shares: Share[]
  refunded: boolean
  /** The arguments of the settle that succeeded, for its retries. */
  settled?: { payee: string; amountMicros: bigint }[]
}

export interface EscrowReal {
  ledger: LedgerService
  clock: ManualClock
  runId: string
  escrow: LedgerEscrow
  subscriptions: Subscriptions
}

type Cmd<M extends object, R> = fc.AsyncCommand<M, R>

const owner = (account: string) => account.slice(0, account.lastIndexOf(':'))
export const escrowAccount = accountId(SYSTEM.escrow, 'USD')
export const feesAccount = accountId(SYSTEM.fees, 'USD')

/** Runs `act` and checks it failed with `code`, or succeeded when `code` is undefined. */
async function outcome(act: () => Promise<unknown>, code: ErrorCode | undefined): Promise<void> {
  const error = await act().then(
    () => undefined,
    (e: unknown) => e,
  )
  if (code === undefined) {
    expect(error).toBeUndefined()
  } else {
    expect(error).toBeInstanceOf(MeshError)
    expect((error as MeshError).code).toBe(code)
  }
}

function move(m: LedgerModel, from: string, to: string, amount: bigint): void {
  m.b(from).dp += amount
  m.b(to).cp += amount
}

/** Settles a pending reservation as `LedgerEscrow.settle` does; answers the error code, if any. */
function settle(
  m: LedgerModel,
  task: ModelTask,
  payments: { payee: string; amountMicros: bigint }[],
): ErrorCode | undefined {
  const p = m.pendings.find((x) => x.id === `reserve:${task.id}`)!
  const paid = payments.filter((x) => x.amountMicros > 0n)
  const total = paid.reduce((sum, x) => sum + x.amountMicros, 0n)
  const expired = p.state === 'expired' || p.expiresAtMs <= m.nowMs
  // Nothing to pay is a void: again is no error, nor is a reservation expired (back already).
  if (total === 0n && p.state === 'voided') return undefined
  if (p.state === 'posted' || p.state === 'voided') return 'PENDING_ALREADY_RESOLVED'
  if (expired) return total === 0n ? undefined : 'PENDING_EXPIRED'
  if (total > p.amount) return 'AMOUNT_EXCEEDS_PENDING'
  m.b(task.payer).dpend -= p.amount
  m.b(escrowAccount).cpend -= p.amount
  p.state = total === 0n ? 'voided' : 'posted'
  if (total === 0n) return undefined
  move(m, task.payer, escrowAccount, total)
  for (const x of paid) {
    const fee = platformFee(x.amountMicros, FEE_BPS)
    move(m, escrowAccount, x.payee, x.amountMicros - fee)
    move(m, escrowAccount, feesAccount, fee)
    task.shares.push({ payee: x.payee, gross: x.amountMicros, pay: x.amountMicros - fee, fee })
  }
  task.settled = payments
  return undefined
}

/** Refunds as `LedgerEscrow.refund` does; answers the error code, if any. */
function refund(
  m: LedgerModel,
  task: ModelTask,
  amount: bigint | undefined,
  from: string | undefined,
): ErrorCode | undefined {
  if (task.refunded) return 'ALREADY_REFUNDED'
  if (task.shares.length === 0) return 'TASK_NOT_SETTLED'
  const shares = task.shares.filter((s) => from === undefined || (s.pay > 0n && s.payee === from))
  const refundable = shares.reduce((sum, s) => sum + s.gross, 0n)
  const total = amount ?? refundable
  if (total <= 0n || total > refundable) return 'INVALID_AMOUNT'
  const parts: [string, bigint][] = []
  let remaining = total
  for (const s of shares) {
    const take = s.gross < remaining ? s.gross : remaining
    if (take === 0n) break
    remaining -= take
    const feePart = (s.fee * take) / s.gross
    parts.push([s.payee, take - feePart], [feesAccount, feePart])
  }
  // Linked: every part must be affordable, in order, or nothing moves.
  const spent = new Map<string, bigint>()
  for (const [account, part] of parts) {
    if (part === 0n) continue
    const already = spent.get(account) ?? 0n
    if (m.available(account) - already < part) return 'INSUFFICIENT_FUNDS'
    spent.set(account, already + part)
  }
  for (const [account, part] of parts) if (part > 0n) move(m, account, escrowAccount, part)
  move(m, escrowAccount, task.payer, total)
  task.refunded = true
  return undefined
}

/** The escrow and subscription commands, over `users` accounts. */
export function escrowCommands<M extends LedgerModel, R extends EscrowReal>(
  users: number,
  check: (m: M, r: R) => Promise<void>,
): fc.Arbitrary<Cmd<M, R>>[] {
  const user = fc.nat({ max: users - 1 })
  const amount = fc.bigInt({ min: 0n, max: 3_000n })
  const share = fc.bigInt({ min: 0n, max: 1_000n })
  const cmd = (
    name: string,
    pre: (m: Readonly<M>) => boolean,
    run: (m: M, r: R) => Promise<void>,
  ): Cmd<M, R> => ({
    check: pre,
    run: (m, r) => run(m, r).then(() => check(m, r)),
    toString: () => name,
  })
  const pick = (m: M, i: number, where: (t: ModelTask) => boolean) => {
    const found = m.tasks.filter(where)
    return found[i % found.length]
  }
  const [reserveCmd, settleCmd, settleAgainCmd, refundCmd, subscribeCmd] = [
    fc.tuple(user, amount, fc.integer({ min: 1, max: 5_000 })).map(([payer, a, timeoutMs]) =>
      cmd(
        `reserve(${payer},${a},${timeoutMs})`,
        () => true,
        async (m, r) => {
          const id = `${r.runId}-task${m.counter++}`
          const input: TransferInput = {
            kind: 'pending',
            id: `reserve:${id}`,
            debitAccount: m.users[payer]!,
            creditAccount: escrowAccount,
            amountMicros: a,
            code: 'escrow',
            reference: id,
            timeoutMs,
          }
          const predicted = m.apply(input)
          if (predicted === 'ok') {
            m.pendings.at(-1)!.escrow = true
            m.tasks.push({ id, payer: m.users[payer]!, shares: [], refunded: false })
          }
          await outcome(
            () =>
              r.escrow.reserve({
                reservationId: id,
                payer: owner(m.users[payer]!),
                currency: 'USD',
                amountMicros: a,
                timeoutMs,
                reference: id,
              }),
            errorCodeOf(predicted),
          )
        },
      ),
    ),
    fc
      .tuple(fc.nat(), fc.array(fc.tuple(user, share), { minLength: 1, maxLength: 3 }))
      .map(([i, payments]) =>
        cmd(
          `settle(#${i},${payments.map(([u, a]) => `${u}:${a}`).join('+')})`,
          (m) => m.tasks.some((t) => !t.settled),
          async (m, r) => {
            const task = pick(m, i, (t) => !t.settled)!
            const list = payments.map(([u, a]) => ({ payee: m.users[u]!, amountMicros: a }))
            const code = settle(m, task, list)
            await outcome(
              () =>
                r.escrow.settle({
                  reservationId: task.id,
                  payments: list.map((x) => ({ ...x, payee: owner(x.payee) })),
                }),
              code,
            )
          },
        ),
      ),
    fc.nat().map((i) =>
      cmd(
        `settleAgain(#${i})`,
        (m) => m.tasks.some((t) => t.settled && t.shares.length > 0),
        async (m, r) => {
          const task = pick(m, i, (t) => t.settled !== undefined && t.shares.length > 0)!
          const payments = task.settled!.map((x) => ({ ...x, payee: owner(x.payee) }))
          await outcome(() => r.escrow.settle({ reservationId: task.id, payments }), undefined)
        },
      ),
    ),
    fc
      .tuple(fc.nat(), fc.option(share, { nil: undefined }), fc.option(user, { nil: undefined }))
      .map(([i, a, from]) =>
        cmd(
          `refund(#${i},${a},${from})`,
          (m) => m.tasks.some((t) => t.settled),
          async (m, r) => {
            const task = pick(m, i, (t) => t.settled !== undefined)!
            const payee = from === undefined ? undefined : m.users[from]!
            const code = refund(m, task, a, payee)
            await outcome(
              () =>
                r.escrow.refund({
                  reservationId: task.id,
                  ...(a === undefined ? {} : { amountMicros: a }),
                  ...(payee === undefined ? {} : { from: owner(payee) }),
                }),
              code,
            )
          },
        ),
      ),
    fc.tuple(user, user, amount, fc.nat({ max: 2 })).map(([from, to, a, k]) =>
      cmd(
        `subscribe(${from}->${to}:${a},cap${k})`,
        () => true,
        async (m, r) => {
          const [subscriber, provider] = [owner(m.users[from]!), owner(m.users[to]!)]
          const pricing: Pricing = {
            model: 'subscription',
            amount: formatAmount(a),
            currency: 'USD',
            period: 'day',
          }
          const capabilityId = `cap${k}`
          const key = `${provider}/${capabilityId}`
          const day = new Date(periodStartMs('day', m.nowMs)).toISOString().slice(0, 10)
          const input: TransferInput = {
            kind: 'posted',
            id: `subscription:${subscriber}:${key}:day:${day}`,
            debitAccount: m.users[from]!,
            creditAccount: m.users[to]!,
            amountMicros: a,
            code: 'subscription',
            reference: key,
          }
          const predicted = from === to ? 'INVALID_INPUT' : errorCodeOf(m.apply(input))
          await outcome(
            () => r.subscriptions.subscribe({ subscriber, provider, capabilityId, pricing }),
            predicted,
          )
          if (predicted === undefined) {
            const check = { subscriber, provider, capabilityId, pricing }
            await r.subscriptions.requireActive(check)
          }
        },
      ),
    ),
  ]
  // Settlements and refunds need a reservation first: asked for more often.
  return [
    reserveCmd,
    reserveCmd,
    settleCmd,
    settleCmd,
    settleAgainCmd,
    refundCmd,
    refundCmd,
    subscribeCmd,
  ]
}

/** A fresh escrow and subscriptions on the real ledger. */
export function escrowServices(ledger: LedgerService, clock: ManualClock) {
  return {
    escrow: new LedgerEscrow(ledger, { feeBps: FEE_BPS, nodeDid: 'did:node' }),
    subscriptions: new Subscriptions(ledger, clock),
  }
}
