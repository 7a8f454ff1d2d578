import { generateKeyPair } from '@agentmesh/protocol'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LedgerService } from '../../../src/core/ledger/ledger-service.js'
import {
  accountId,
  SYSTEM,
  type TransferInput,
  type TransferResultCode,
} from '../../../src/core/ledger/types.js'
import type { Store } from '../../../src/core/store.js'
import { ledgerBackends, ManualClock, MemoryAudit } from '../../helpers/ledger.js'
import {
  escrowAccount,
  escrowCommands,
  escrowServices,
  feesAccount,
  type EscrowReal,
  type ModelTask,
} from './escrow-model.js'

interface Balance {
  dp: bigint
  cp: bigint
  dpend: bigint
  cpend: bigint
}
interface ModelPending {
  id: string
  debit: string
  credit: string
  amount: bigint
  expiresAtMs: number
  state: 'pending' | 'posted' | 'voided' | 'expired'
  /** A task's reservation, resolved only through the escrow. */
  escrow?: boolean
}

/** The ledger as a test reasons about it: plain maps, no transactions, no SQL. */
class Model {
  readonly balances = new Map<string, Balance>()
  readonly pendings: ModelPending[] = []
  readonly submitted: TransferInput[] = []
  readonly done = new Set<string>()
  readonly tasks: ModelTask[] = []
  counter = 0

  constructor(
    readonly users: string[],
    readonly mint: string,
    public nowMs: number,
  ) {
    for (const a of [...users, mint]) this.balances.set(a, { dp: 0n, cp: 0n, dpend: 0n, cpend: 0n })
  }
  b(id: string): Balance {
    return this.balances.get(id)!
  }
  available(id: string): bigint {
    const b = this.b(id)
    return id === this.mint ? 10n ** 30n : b.cp - b.dp - b.dpend
  }
  /** Predicts and applies one transfer or post/void, as the ledger should. */
  apply(op: TransferInput): TransferResultCode {
    if (this.done.has(op.id)) return 'exists'
    if (op.kind === 'posted' || op.kind === 'pending') {
      if (op.debitAccount === op.creditAccount) return 'accounts_must_be_different'
      if (op.amountMicros <= 0n) return 'amount_must_be_positive'
      if (this.available(op.debitAccount) < op.amountMicros) return 'insufficient_funds'
      const d = this.b(op.debitAccount)
      const c = this.b(op.creditAccount)
      if (op.kind === 'posted') {
        d.dp += op.amountMicros
        c.cp += op.amountMicros
      } else {
        d.dpend += op.amountMicros
        c.cpend += op.amountMicros
        this.pendings.push({
          id: op.id,
          debit: op.debitAccount,
          credit: op.creditAccount,
          amount: op.amountMicros,
          expiresAtMs: this.nowMs + op.timeoutMs,
          state: 'pending',
        })
      }
    } else {
      const p = this.pendings.find((x) => x.id === op.pendingId)!
      if (p.state === 'posted') return 'pending_already_posted'
      if (p.state === 'voided') return 'pending_already_voided'
      if (p.state === 'expired' || p.expiresAtMs <= this.nowMs) return 'pending_expired'
      const paid = op.kind === 'post' ? (op.amountMicros ?? p.amount) : 0n
      if (paid > p.amount) return 'exceeds_pending_amount'
      this.release(p)
      this.b(p.debit).dp += paid
      this.b(p.credit).cp += paid
      p.state = op.kind === 'post' ? 'posted' : 'voided'
    }
    this.done.add(op.id)
    return 'ok'
  }
  release(p: ModelPending): void {
    this.b(p.debit).dpend -= p.amount
    this.b(p.credit).cpend -= p.amount
  }
  expire(): number {
    let n = 0
    for (const p of this.pendings) {
      if (p.state === 'pending' && p.expiresAtMs <= this.nowMs) {
        this.release(p)
        p.state = 'expired'
        n++
      }
    }
    return n
  }
}

type Real = EscrowReal

type Cmd = fc.AsyncCommand<Model, Real>

async function expectSameBalances(model: Model, real: Real): Promise<void> {
  for (const [id, b] of model.balances) {
    const a = await real.ledger.accountOrEmpty(id)
    expect({
      id,
      dp: a.debitsPosted,
      cp: a.creditsPosted,
      dpend: a.debitsPending,
      cpend: a.creditsPending,
    }).toEqual({ id, ...b })
  }
}

/** Submits ops; checks each result against the model's prediction and every balance. */
async function submit(
  model: Model,
  real: Real,
  ops: TransferInput[],
  linked = false,
): Promise<void> {
  const predicted = ops.map(() => 'ok')
  if (linked) {
    // All or nothing: predict on a copy of the model first.
    const trial = structuredClone(model)
    Object.setPrototypeOf(trial, Model.prototype)
    const codes = ops.map((op) => trial.apply(op))
    const bad = codes.findIndex((c) => c !== 'ok' && c !== 'exists')
    if (bad >= 0) codes.forEach((c, i) => (predicted[i] = i === bad ? c : 'linked_event_failed'))
    else ops.forEach((op, i) => (predicted[i] = model.apply(op)))
  } else {
    ops.forEach((op, i) => (predicted[i] = model.apply(op)))
  }
  model.submitted.push(...ops)
  const inputs = ops.map((op, i) => ({ ...op, linked: linked && i < ops.length - 1 }))
  const results = await real.ledger.createTransfers(inputs, 'did:test')
  expect(results.map((r) => r.result)).toEqual(predicted)
  await expectSameBalances(model, real)
}

const amount = fc.bigInt({ min: 0n, max: 5_000n })

/** The pending transfers made directly, not a task's reservation. */
const rawPendings = (m: Model) => m.pendings.filter((p) => !p.escrow)

function commands(users: number): fc.Arbitrary<Cmd>[] {
  const user = fc.nat({ max: users - 1 })
  const id = (m: Model, r: Real) => `${r.runId}-${m.counter++}`
  const cmd = (
    name: string,
    check: (m: Readonly<Model>) => boolean,
    run: (m: Model, r: Real) => Promise<void>,
  ): Cmd => ({
    check,
    run,
    toString: () => name,
  })
  return [
    fc.tuple(user, amount).map(([to, a]) =>
      cmd(
        `mint(${to},${a})`,
        () => true,
        (m, r) =>
          submit(m, r, [
            {
              kind: 'posted',
              id: id(m, r),
              debitAccount: m.mint,
              creditAccount: m.users[to]!,
              amountMicros: a,
              code: 'mint',
            },
          ]),
      ),
    ),
    fc.tuple(user, user, amount).map(([from, to, a]) =>
      cmd(
        `transfer(${from},${to},${a})`,
        () => true,
        (m, r) =>
          submit(m, r, [
            {
              kind: 'posted',
              id: id(m, r),
              debitAccount: m.users[from]!,
              creditAccount: m.users[to]!,
              amountMicros: a,
              code: 'transfer',
            },
          ]),
      ),
    ),
    fc
      .tuple(user, user, amount, fc.integer({ min: 1, max: 5_000 }))
      .map(([from, to, a, timeoutMs]) =>
        cmd(
          `pending(${from},${to},${a},${timeoutMs})`,
          () => true,
          (m, r) =>
            submit(m, r, [
              {
                kind: 'pending',
                id: id(m, r),
                debitAccount: m.users[from]!,
                creditAccount: m.users[to]!,
                amountMicros: a,
                code: 'escrow',
                timeoutMs,
              },
            ]),
        ),
      ),
    fc.tuple(fc.nat(), fc.option(amount, { nil: undefined })).map(([i, a]) =>
      cmd(
        `post(#${i},${a})`,
        (m) => rawPendings(m).length > 0,
        (m, r) => {
          const raw = rawPendings(m)
          const p = raw[i % raw.length]!
          return submit(m, r, [
            {
              kind: 'post',
              id: id(m, r),
              pendingId: p.id,
              ...(a === undefined ? {} : { amountMicros: a }),
            },
          ])
        },
      ),
    ),
    fc.nat().map((i) =>
      cmd(
        `void(#${i})`,
        (m) => rawPendings(m).length > 0,
        (m, r) => {
          const raw = rawPendings(m)
          const p = raw[i % raw.length]!
          return submit(m, r, [{ kind: 'void', id: id(m, r), pendingId: p.id }])
        },
      ),
    ),
    fc.integer({ min: 1, max: 4_000 }).map((ms) =>
      cmd(
        `timeout(+${ms})`,
        () => true,
        async (m, r) => {
          m.nowMs += ms
          r.clock.advance(ms)
          const expected = m.expire()
          expect(await r.ledger.expirePending()).toBe(expected)
          await expectSameBalances(m, r)
        },
      ),
    ),
    fc.nat().map((i) =>
      cmd(
        `retry(#${i})`,
        (m) => m.submitted.length > 0,
        (m, r) => submit(m, r, [m.submitted[i % m.submitted.length]!]),
      ),
    ),
    fc.tuple(user, user, user, amount, amount).map(([a, b, c, x, y]) =>
      cmd(
        `linked(${a}->${b}:${x}, ${b}->${c}:${y})`,
        () => true,
        (m, r) =>
          submit(
            m,
            r,
            [
              {
                kind: 'posted',
                id: id(m, r),
                debitAccount: m.users[a]!,
                creditAccount: m.users[b]!,
                amountMicros: x,
                code: 'transfer',
              },
              {
                kind: 'posted',
                id: id(m, r),
                debitAccount: m.users[b]!,
                creditAccount: m.users[c]!,
                amountMicros: y,
                code: 'transfer',
              },
            ],
            true,
          ),
      ),
    ),
    ...escrowCommands<Model, Real>(users, expectSameBalances),
  ]
}

for (const backend of await ledgerBackends()) {
  describe.skipIf(backend.skipReason !== undefined)(
    `ledger model (${backend.name})${backend.skipReason ? ` (skipped: ${backend.skipReason})` : ''}`,
    () => {
      let store: Store
      const clock = new ManualClock()
      beforeAll(async () => {
        store = await backend.open()
      })
      afterAll(async () => {
        await store?.close()
        await backend.cleanup()
      })

      it('agrees with a plain model on every result and balance, escrow settlements (quorums), refunds and subscriptions included, and keeps every invariant', async () => {
        const ledger = new LedgerService({
          store: store.ledger,
          clock,
          audit: new MemoryAudit(),
          nodeDid: 'did:node',
        })
        let run = 0
        await fc.assert(
          fc.asyncProperty(
            fc.commands(commands(3), { maxCommands: 40, size: 'large' }),
            async (cmds) => {
              const users = Array.from({ length: 3 }, () => accountId(generateKeyPair().did, 'USD'))
              clock.advance(10_000_000)
              await ledger.expirePending() // what earlier runs left pending
              const model = new Model(users, accountId(SYSTEM.mint, 'USD'), clock.now())
              // The system accounts carry what earlier runs left (nothing pending: it expired).
              for (const id of [model.mint, escrowAccount, feesAccount]) {
                const before = await ledger.accountOrEmpty(id)
                model.balances.set(id, {
                  dp: before.debitsPosted,
                  cp: before.creditsPosted,
                  dpend: before.debitsPending,
                  cpend: before.creditsPending,
                })
              }
              const real = { ledger, clock, runId: `r${run++}`, ...escrowServices(ledger, clock) }
              // Some money to start with, so that reservations, settlements and refunds go through.
              await submit(
                model,
                real,
                users.map((to, i) => ({
                  kind: 'posted',
                  id: `${real.runId}-seed${i}`,
                  debitAccount: model.mint,
                  creditAccount: to,
                  amountMicros: 8_000n,
                  code: 'mint',
                })),
              )
              await fc.asyncModelRun(() => ({ model, real }), cmds)
              const report = await ledger.verify()
              expect(report.problems).toEqual([])
              expect(report.ok).toBe(true)
            },
          ),
          { numRuns: 30 },
        )
      })
    },
  )
}
