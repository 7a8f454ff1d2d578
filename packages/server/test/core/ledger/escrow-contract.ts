import { deepStrictEqual as sameAs, ok } from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { generateKeyPair, MeshError, type ErrorCode } from '@agentmesh/protocol'
import { describe, it } from 'vitest'
import type { Escrow } from '../../../src/core/ports/escrow.js'

/** An escrow under test, with the means to fund owners and read what they hold. */
export interface EscrowHarness {
  escrow: Escrow
  /** Gives `owner` `amountMicros` more to spend. */
  fund(owner: string, amountMicros: bigint): Promise<void>
  /** What `owner` can spend: money held by a reservation is not counted. */
  available(owner: string): Promise<bigint>
  /** What the platform kept as fees since the harness opened. */
  fees(): Promise<bigint>
  /** Moves the escrow's clock on; absent when the implementation keeps no clock. */
  advanceMs?: (ms: number) => void
  close(): Promise<void>
}

export type OpenEscrow = () => Promise<EscrowHarness>

/** One promise of the `Escrow` port: `run` resolves when escrows from `open` keep it. */
export interface EscrowCheck {
  name: string
  /** Set when the check drives time, which only a harness with `advanceMs` can. */
  needsClock?: true
  run(open: OpenEscrow): Promise<void>
}

const USD = 'USD'
const FUNDS = 1_000_000n

/** One payer (funded), one payee, fresh ids: checks may share a ledger. */
interface Parties {
  h: EscrowHarness
  payer: string
  payee: string
  id: (n?: number) => string
  reserve(amountMicros: bigint, n?: number): Promise<void>
  /** Payer's available, payee's available, fees. */
  money(): Promise<[bigint, bigint, bigint]>
}

async function withParties(open: OpenEscrow, use: (p: Parties) => Promise<void>): Promise<void> {
  const h = await open()
  const run = randomUUID()
  const payer = generateKeyPair().did
  const payee = generateKeyPair().did
  const id = (n = 1) => `reservation-${run}-${n}`
  try {
    await h.fund(payer, FUNDS)
    await use({
      h,
      payer,
      payee,
      id,
      reserve: (amountMicros, n = 1) =>
        h.escrow.reserve({
          reservationId: id(n),
          payer,
          currency: USD,
          amountMicros,
          timeoutMs: 60_000,
          reference: `task-${n}`,
        }),
      money: () => Promise.all([h.available(payer), h.available(payee), h.fees()]),
    })
  } finally {
    await h.close()
  }
}

/** Asserts `promise` rejects with a MeshError of `code`. */
async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, what: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e : new Error(`non-error ${JSON.stringify(e)}`)),
  )
  ok(error !== undefined, `${what} did not throw ${code}`)
  ok(
    error instanceof MeshError && error.code === code,
    `${what} threw ${String(error)}, not ${code}`,
  )
}

/** Asserts the payee got `micros` in all, fees included (the payee's share of it is positive). */
async function paid(p: Parties, micros: bigint, what: string) {
  const [, payee, fees] = await p.money()
  sameAs(payee + fees, micros, `${what}: payee and fees hold ${payee} + ${fees}`)
  if (micros > 0n) ok(payee > 0n, `${what}: the payee got nothing`)
}

/** Every promise of the `Escrow` port, each a check that any implementation must pass. */
export const escrowChecks: readonly EscrowCheck[] = [
  {
    name: 'reserve holds the amount: the payer can spend that much less',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(300_000n)
        sameAs(await p.money(), [FUNDS - 300_000n, 0n, 0n])
      }),
  },
  {
    name: 'settle pays the payee (less fees) and returns the rest to the payer',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(300_000n)
        await p.h.escrow.settle({ reservationId: p.id(), payee: p.payee, amountMicros: 200_000n })
        sameAs(await p.h.available(p.payer), FUNDS - 200_000n)
        await paid(p, 200_000n, 'after settle')
        await p.reserve(100_000n, 2)
        await p.h.escrow.settle({ reservationId: p.id(2), payee: p.payee, amountMicros: 0n })
        sameAs(await p.h.available(p.payer), FUNDS - 200_000n, 'settling zero returns it all')
        await paid(p, 200_000n, 'after settling zero')
      }),
  },
  {
    name: 'release returns the whole reservation to the payer',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(300_000n)
        await p.h.escrow.release(p.id())
        sameAs(await p.money(), [FUNDS, 0n, 0n])
      }),
  },
  {
    name: 'a repeated reserve holds once',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(300_000n)
        await p.reserve(300_000n)
        await Promise.all([p.reserve(300_000n), p.reserve(300_000n)])
        sameAs(await p.h.available(p.payer), FUNDS - 300_000n)
      }),
  },
  {
    name: 'a repeated settle pays once, also when the repeats run concurrently',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(300_000n)
        const settle = () =>
          p.h.escrow.settle({ reservationId: p.id(), payee: p.payee, amountMicros: 200_000n })
        await settle()
        await settle()
        await p.reserve(300_000n, 2)
        const again = () =>
          p.h.escrow.settle({ reservationId: p.id(2), payee: p.payee, amountMicros: 200_000n })
        await Promise.all([again(), again(), again()])
        // A repeat with another amount may be refused; it must not pay either way.
        await p.h.escrow
          .settle({ reservationId: p.id(), payee: p.payee, amountMicros: 300_000n })
          .catch(() => {})
        sameAs(await p.h.available(p.payer), FUNDS - 400_000n)
        await paid(p, 400_000n, 'after repeated settles')
      }),
  },
  {
    name: 'a repeated release returns the money once',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(300_000n)
        await p.h.escrow.release(p.id())
        await p.h.escrow.release(p.id())
        await Promise.all([p.h.escrow.release(p.id()), p.h.escrow.release(p.id())])
        sameAs(await p.money(), [FUNDS, 0n, 0n])
      }),
  },
  {
    name: 'settle after release moves no money and throws PENDING_ALREADY_RESOLVED',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(300_000n)
        await p.h.escrow.release(p.id())
        const settle = p.h.escrow.settle({
          reservationId: p.id(),
          payee: p.payee,
          amountMicros: 1n,
        })
        await rejectsWith(settle, 'PENDING_ALREADY_RESOLVED', 'settle after release')
        sameAs(await p.money(), [FUNDS, 0n, 0n])
      }),
  },
  {
    name: 'release after settle moves no money and throws PENDING_ALREADY_RESOLVED',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(300_000n)
        await p.h.escrow.settle({ reservationId: p.id(), payee: p.payee, amountMicros: 200_000n })
        await rejectsWith(
          p.h.escrow.release(p.id()),
          'PENDING_ALREADY_RESOLVED',
          'release after settle',
        )
        sameAs(await p.h.available(p.payer), FUNDS - 200_000n)
        await paid(p, 200_000n, 'after release after settle')
      }),
  },
  {
    name: 'refuses a reservation beyond the funds with INSUFFICIENT_FUNDS, holding nothing',
    run: (open) =>
      withParties(open, async (p) => {
        await rejectsWith(p.reserve(FUNDS + 1n), 'INSUFFICIENT_FUNDS', 'reserve beyond funds')
        sameAs(await p.money(), [FUNDS, 0n, 0n])
        const settle = p.h.escrow.settle({
          reservationId: p.id(),
          payee: p.payee,
          amountMicros: 1n,
        })
        await rejectsWith(settle, 'TRANSFER_NOT_FOUND', 'settle of a refused reservation')
        await p.h.escrow.release(p.id())
        sameAs(await p.money(), [FUNDS, 0n, 0n])
        // Nothing of the refusal stays: once funded, the same reservation goes through.
        await p.h.fund(p.payer, 1n)
        await p.reserve(FUNDS + 1n)
        sameAs(await p.h.available(p.payer), 0n)
      }),
  },
  {
    name: 'refuses to settle more than the reservation with AMOUNT_EXCEEDS_PENDING, moving nothing',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(100_000n)
        await rejectsWith(
          p.h.escrow.settle({ reservationId: p.id(), payee: p.payee, amountMicros: 100_001n }),
          'AMOUNT_EXCEEDS_PENDING',
          'settle beyond the reservation',
        )
        sameAs(await p.money(), [FUNDS - 100_000n, 0n, 0n])
        await p.h.escrow.settle({ reservationId: p.id(), payee: p.payee, amountMicros: 100_000n })
        sameAs(await p.h.available(p.payer), FUNDS - 100_000n)
        await paid(p, 100_000n, 'after settling the whole reservation')
      }),
  },
  {
    name: 'leaves an unknown reservation alone: release does nothing, settle throws TRANSFER_NOT_FOUND',
    run: (open) =>
      withParties(open, async (p) => {
        await p.h.escrow.release(p.id(9))
        await rejectsWith(
          p.h.escrow.settle({ reservationId: p.id(9), payee: p.payee, amountMicros: 1n }),
          'TRANSFER_NOT_FOUND',
          'settle of an unknown reservation',
        )
        sameAs(await p.money(), [FUNDS, 0n, 0n])
      }),
  },
  {
    name: 'keeps reservations apart: settling one leaves another held',
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(100_000n, 1)
        await p.reserve(200_000n, 2)
        await p.h.escrow.settle({ reservationId: p.id(1), payee: p.payee, amountMicros: 50_000n })
        sameAs(await p.h.available(p.payer), FUNDS - 250_000n)
        await p.h.escrow.release(p.id(2))
        sameAs(await p.h.available(p.payer), FUNDS - 50_000n)
        await paid(p, 50_000n, 'after one settle and one release')
      }),
  },
  {
    name: 'a reservation past its timeout is not paid: settle throws PENDING_EXPIRED, release is quiet',
    needsClock: true,
    run: (open) =>
      withParties(open, async (p) => {
        await p.reserve(100_000n)
        p.h.advanceMs!(60_001)
        await rejectsWith(
          p.h.escrow.settle({ reservationId: p.id(), payee: p.payee, amountMicros: 1n }),
          'PENDING_EXPIRED',
          'settle after the timeout',
        )
        await p.h.escrow.release(p.id())
        await paid(p, 0n, 'after the timeout')
      }),
  },
]

/**
 * Registers every check of the `Escrow` contract as a test, run on escrows from `open`. Without
 * `clock`, the checks that drive time are skipped, saying why.
 */
export function escrowContract(name: string, open: OpenEscrow, options: { clock: boolean }): void {
  describe(`Escrow contract: ${name}`, () => {
    for (const check of escrowChecks) {
      if (check.needsClock && !options.clock)
        it.skip(`${check.name} (skipped: ${name} keeps no clock)`, () => {})
      else it(check.name, () => check.run(open))
    }
  })
}
