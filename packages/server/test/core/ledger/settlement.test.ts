import { generateKeyPair, type Pricing } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GroupCommit } from '../../../src/adapters/store/group-commit.js'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { BudgetService } from '../../../src/core/ledger/budget-service.js'
import { LedgerEscrow } from '../../../src/core/ledger/escrow-service.js'
import { LedgerService } from '../../../src/core/ledger/ledger-service.js'
import {
  platformFee,
  ratingBonus,
  reservationFor,
  settledCost,
} from '../../../src/core/ledger/pricing.js'
import { Subscriptions } from '../../../src/core/ledger/subscriptions.js'
import { accountId, SYSTEM } from '../../../src/core/ledger/types.js'
import type { Store } from '../../../src/core/store.js'
import { ManualClock, MemoryAudit } from '../../helpers/ledger.js'

const perCall: Pricing = { model: 'per_call', amount: '1', currency: 'USD' }

describe('pricing', () => {
  it('charges the base, less the latency penalty when the SLA is missed, capped by the reservation', () => {
    const policy = { latencyPenaltyBps: 2_000, feeBps: 0 }
    const sla = { timeoutMs: 1000, p95LatencyMs: 100 }
    expect(
      settledCost({ pricing: perCall, reservedMicros: 2_000_000n, latencyMs: 50, sla, policy }),
    ).toBe(1_000_000n)
    expect(
      settledCost({ pricing: perCall, reservedMicros: 2_000_000n, latencyMs: 150, sla, policy }),
    ).toBe(800_000n)
    expect(settledCost({ pricing: perCall, reservedMicros: 600_000n, policy })).toBe(600_000n)
    // The SLA's own term applies when it is the higher one, never below the node's.
    const strict = { ...sla, latencyPenaltyBps: 5_000 }
    const lenient = { ...sla, latencyPenaltyBps: 100 }
    const cost = (s: typeof sla) =>
      settledCost({ pricing: perCall, reservedMicros: 2_000_000n, latencyMs: 150, sla: s, policy })
    expect([cost(strict), cost(lenient)]).toEqual([500_000n, 800_000n])
    // Without a p95, the SLA's timeout is the promise.
    const timeoutOnly = { timeoutMs: 1000 }
    expect(
      settledCost({
        pricing: perCall,
        reservedMicros: 2_000_000n,
        latencyMs: 999,
        sla: timeoutOnly,
        policy,
      }),
    ).toBe(1_000_000n)
  })

  it('releases all of the bonus for five stars, half for four, none below', () => {
    expect([5, 4, 3, 1].map((stars) => ratingBonus(stars, 1_001n))).toEqual([1_001n, 500n, 0n, 0n])
  })

  it('prices units the provider reports, never above the reservation', () => {
    const perUnit: Pricing = { model: 'per_unit', amount: '0.001', currency: 'USD', unit: 'token' }
    expect(reservationFor(perUnit, 500)).toBe(500_000n)
    expect(settledCost({ pricing: perUnit, reservedMicros: 500_000n, units: 120 })).toBe(120_000n)
    expect(settledCost({ pricing: perUnit, reservedMicros: 500_000n, units: 9_999 })).toBe(500_000n)
    expect(() => settledCost({ pricing: perUnit, reservedMicros: 1n, units: 1.5 })).toThrow(
      /whole number/,
    )
  })

  it('takes the fee in basis points, rounding down', () => {
    expect(platformFee(1_000_000n, 250)).toBe(25_000n)
    expect(platformFee(3n, 5_000)).toBe(1n)
    expect(platformFee(1_000_000n, 0)).toBe(0n)
  })
})

describe('escrow, budgets and subscriptions on the ledger', () => {
  let store: Store
  let ledger: LedgerService
  const clock = new ManualClock(Date.UTC(2030, 0, 1, 23, 0))
  const payer = generateKeyPair().did
  const payee = generateKeyPair().did
  const audit = new MemoryAudit()

  beforeAll(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    ledger = new LedgerService({
      store: store.ledger,
      clock,
      audit,
      nodeDid: 'did:node',
      batcher: new GroupCommit({ windowMs: 1 }),
    })
    await ledger.transfer(
      {
        kind: 'posted',
        id: 'seed',
        debitAccount: accountId(SYSTEM.mint, 'USD'),
        creditAccount: accountId(payer, 'USD'),
        amountMicros: 10_000_000n,
        code: 'mint',
      },
      'did:admin',
    )
  })
  afterAll(() => store.close())

  const balance = async (owner: string) => {
    const a = await ledger.accountOrEmpty(accountId(owner, 'USD'))
    return { posted: a.creditsPosted - a.debitsPosted, pending: a.debitsPending }
  }

  it('settles once: the payee is paid less the fee, the fee account gets it, the rest returns', async () => {
    const escrow = new LedgerEscrow(ledger, { feeBps: 1_000, nodeDid: 'did:node' })
    const reservation = {
      reservationId: 'task-a',
      payer,
      currency: 'USD',
      amountMicros: 2_000_000n,
      timeoutMs: 60_000,
      reference: 'task-a',
    }
    await escrow.reserve(reservation)
    await escrow.reserve(reservation)
    expect(await balance(payer)).toEqual({ posted: 10_000_000n, pending: 2_000_000n })
    await Promise.all([
      escrow.settle({ reservationId: 'task-a', payee, amountMicros: 1_500_000n }),
      escrow.settle({ reservationId: 'task-a', payee, amountMicros: 1_500_000n }),
    ])
    expect(await balance(payer)).toEqual({ posted: 8_500_000n, pending: 0n })
    expect(await balance(payee)).toEqual({ posted: 1_350_000n, pending: 0n })
    expect(await balance(SYSTEM.fees)).toEqual({ posted: 150_000n, pending: 0n })
    expect(await balance(SYSTEM.escrow)).toEqual({ posted: 0n, pending: 0n })
    await expect(
      escrow.refund({ reservationId: 'task-a', amountMicros: 1_500_001n }),
    ).rejects.toMatchObject({ code: 'INVALID_AMOUNT' })
    const refunds = await Promise.allSettled([
      escrow.refund({ reservationId: 'task-a', amountMicros: 1_000_000n }),
      escrow.refund({ reservationId: 'task-a' }),
    ])
    expect(refunds.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const refused = refunds.find((r) => r.status === 'rejected')!
    expect(refused.reason).toMatchObject({ code: 'ALREADY_REFUNDED' })
    const refunded = refunds.find((r) => r.status === 'fulfilled')!.value
    // Whichever came first: the fee gives back its 10 %, the payee the rest.
    expect(await balance(payer)).toEqual({ posted: 8_500_000n + refunded, pending: 0n })
    expect(await balance(payee)).toEqual({
      posted: 1_350_000n - (refunded * 9n) / 10n,
      pending: 0n,
    })
    expect(await balance(SYSTEM.escrow)).toEqual({ posted: 0n, pending: 0n })
    expect((await ledger.getTransfer('refund:task-a'))?.reference).toBe('task-a')
    await escrow.release('never-reserved')
    expect(audit.events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['transfer.pending', 'transfer.posted', 'transfer.created']),
    )
    expect((await ledger.verify()).ok).toBe(true)
  })

  it('resets a daily budget at the UTC day boundary and gives back what a reservation did not pay', async () => {
    const budgets = new BudgetService(ledger, clock)
    const escrow = new LedgerEscrow(ledger, { feeBps: 0, nodeDid: 'did:node' })
    // What task-a paid earlier today counts against a budget set now.
    const set = { limitMicros: 2_500_000n, currency: 'USD', period: 'day' } as const
    expect(await budgets.set(payer, set, 'owner')).toMatchObject({ spentMicros: 1_500_000n })
    const reserve = (id: string, amountMicros: bigint) =>
      escrow.reserve({
        reservationId: id,
        payer,
        currency: 'USD',
        amountMicros,
        timeoutMs: 7_200_000,
        reference: id,
      })
    await reserve('b1', 800_000n)
    await expect(reserve('b2', 300_000n)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' })
    await escrow.settle({ reservationId: 'b1', payee, amountMicros: 500_000n })
    await reserve('b2', 300_000n)
    expect((await budgets.list(payer))[0]).toMatchObject({ spentMicros: 2_300_000n })
    clock.advance(3_600_000) // past midnight UTC
    expect((await budgets.list(payer))[0]).toMatchObject({ spentMicros: 0n })
    await reserve('b3', 1_000_000n)
    await escrow.release('b2') // charged yesterday: today's spending stays
    expect((await budgets.list(payer))[0]).toMatchObject({ spentMicros: 1_000_000n })
    await budgets.set(payer, { limitMicros: 10n ** 12n, currency: 'USD', period: 'day' }, 'owner')
  })

  it('refuses calls to a subscription once its period lapses, until it is renewed', async () => {
    const subscriptions = new Subscriptions(ledger, clock)
    const monthly: Pricing = {
      model: 'subscription',
      amount: '2',
      currency: 'USD',
      period: 'month',
    }
    const input = {
      subscriber: payer,
      provider: payee,
      capabilityId: 'cap',
      pricing: monthly,
    }
    const check = {
      subscriber: payer,
      provider: payee,
      capabilityId: 'cap',
      pricing: monthly,
    }
    await expect(subscriptions.requireActive(check)).rejects.toMatchObject({
      code: 'SUBSCRIPTION_LAPSED',
    })
    const first = await subscriptions.subscribe(input)
    const again = await subscriptions.subscribe(input)
    expect(again.transfer.id).toBe(first.transfer.id)
    expect([first.created, again.created]).toEqual([true, false])
    await subscriptions.requireActive(check)
    // Paid to another provider: not this subscription.
    await expect(
      subscriptions.requireActive({ ...check, provider: SYSTEM.fees }),
    ).rejects.toMatchObject({ code: 'SUBSCRIPTION_LAPSED' })
    expect(await subscriptions.list(payer, 'USD')).toMatchObject([
      { provider: payee, capabilityId: 'cap', period: 'month', active: true },
    ])
    clock.ms = first.lapsesAtMs
    await expect(subscriptions.requireActive(check)).rejects.toMatchObject({
      code: 'SUBSCRIPTION_LAPSED',
    })
    expect(await subscriptions.list(payer, 'USD')).toEqual([])
    expect(settledCost({ pricing: monthly, reservedMicros: 5n })).toBe(0n)
  })
})
