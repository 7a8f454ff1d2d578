import { generateKeyPair } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { LedgerEscrow } from '../../../src/core/ledger/escrow-service.js'
import { LedgerService } from '../../../src/core/ledger/ledger-service.js'
import { accountId, SYSTEM, type TransferInput } from '../../../src/core/ledger/types.js'
import type { Store } from '../../../src/core/store.js'
import { ManualClock, MemoryAudit } from '../../helpers/ledger.js'

const usd = (owner: string) => accountId(owner, 'USD')

describe('ledger verify: each task settles once, and escrow pays out what it took', () => {
  let store: Store
  let ledger: LedgerService
  let escrow: LedgerEscrow
  const payer = generateKeyPair().did
  const [a, b] = [generateKeyPair().did, generateKeyPair().did]

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    ledger = new LedgerService({
      store: store.ledger,
      clock: new ManualClock(),
      audit: new MemoryAudit(),
      nodeDid: 'did:node',
    })
    escrow = new LedgerEscrow(ledger, { feeBps: 1_000, nodeDid: 'did:node' })
    await ledger.transfer(
      {
        kind: 'posted',
        id: 'seed',
        debitAccount: usd(SYSTEM.mint),
        creditAccount: usd(payer),
        amountMicros: 1_000_000n,
        code: 'mint',
      },
      'did:admin',
    )
  })
  afterEach(() => store.close())

  const reserve = (reservationId: string, reference = 'task-1') =>
    escrow.reserve({
      reservationId,
      payer,
      currency: 'USD',
      amountMicros: 100_000n,
      timeoutMs: 60_000,
      reference,
    })
  const problems = async () => (await ledger.verify()).problems

  it('counts a quorum paid out of one reservation as one settlement, refunds included', async () => {
    await reserve('task-1')
    await escrow.settle({
      reservationId: 'task-1',
      payments: [
        { payee: a, amountMicros: 30_000n },
        { payee: b, amountMicros: 30_000n },
      ],
    })
    expect(await problems()).toEqual([])
    await escrow.refund({ reservationId: 'task-1', amountMicros: 45_000n })
    expect(await problems()).toEqual([])
    const paidB = await ledger.getTransfer('pay:task-1:2')
    expect(paidB).toMatchObject({ amountMicros: 27_000n, reference: 'task-1' })
  })

  it('reports a task whose two reservations were both posted', async () => {
    await reserve('task-1')
    await reserve('task-1-again')
    await escrow.settle({ reservationId: 'task-1', payee: a, amountMicros: 10_000n })
    await escrow.settle({ reservationId: 'task-1-again', payee: a, amountMicros: 10_000n })
    expect(await problems()).toEqual(['Task "task-1" settled 2 times'])
  })

  it('accepts the per-payee reservations an earlier quorum made, as one settlement', async () => {
    await reserve('task-1')
    await escrow.release('task-1')
    for (const [i, payee] of [a, b].entries()) {
      await reserve(`task-1:${i + 1}`)
      await escrow.settle({ reservationId: `task-1:${i + 1}`, payee, amountMicros: 10_000n })
    }
    expect(await problems()).toEqual([])
  })

  it('reports escrow paying out more than it took for a task, and refunds beyond the settlement', async () => {
    await reserve('task-1')
    await escrow.settle({ reservationId: 'task-1', payee: a, amountMicros: 10_000n })
    const extra: TransferInput = {
      kind: 'posted',
      id: 'extra',
      debitAccount: usd(payer),
      creditAccount: usd(SYSTEM.escrow),
      amountMicros: 50_000n,
      code: 'transfer',
    }
    await ledger.transfer(extra, 'did:admin')
    await ledger.transfer(
      {
        kind: 'posted',
        id: 'refund-too-much',
        debitAccount: usd(SYSTEM.escrow),
        creditAccount: usd(payer),
        amountMicros: 20_000n,
        code: 'refund',
        reference: 'task-1',
      },
      'did:admin',
    )
    expect(await problems()).toEqual([
      'Escrow took 0.01 for "task-1" and paid out 0.03',
      '"task-1" was refunded 0.02, more than the 0.01 settled',
    ])
  })
})
