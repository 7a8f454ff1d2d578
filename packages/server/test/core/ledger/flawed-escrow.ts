import type { Escrow } from '../../../src/core/ports/escrow.js'
import { MemoryEscrow } from '../tasks/task-doubles.js'

type Reserve = Parameters<Escrow['reserve']>[0]
type Settle = Parameters<Escrow['settle']>[0]

/** The ways an escrow can break its port, one per deliberately broken escrow. */
export type EscrowFlaw =
  | 'settles-twice'
  | 'releases-twice'
  | 'reserves-twice'
  | 'settles-after-release'
  | 'releases-after-settle'
  | 'overdraws'
  | 'holds-after-refusing'
  | 'refuses-with-another-code'
  | 'pays-beyond-the-reservation'

/** The escrow double with one flaw, for showing that the contract catches it. */
export class FlawedEscrow extends MemoryEscrow {
  readonly #flaw: EscrowFlaw

  constructor(flaw: EscrowFlaw) {
    super()
    this.#flaw = flaw
  }

  override reserve(input: Reserve): Promise<void> {
    const balance = this.balances.get(input.payer) ?? 0n
    const short = balance < input.amountMicros
    if (this.#flaw === 'reserves-twice') this.reservations.delete(input.reservationId)
    if (short && this.#flaw === 'refuses-with-another-code')
      return Promise.reject(new Error('Not enough money'))
    if (short && (this.#flaw === 'overdraws' || this.#flaw === 'holds-after-refusing')) {
      this.balances.set(input.payer, balance - input.amountMicros)
      const r = { payer: input.payer, amount: input.amountMicros, state: 'pending' as const }
      this.reservations.set(input.reservationId, r)
      if (this.#flaw === 'overdraws') return Promise.resolve()
      return Promise.reject(new Error('Insufficient funds, but held anyway'))
    }
    return super.reserve(input)
  }

  override settle(input: Settle): Promise<void> {
    const r = this.reservations.get(input.reservationId)
    if (r?.state === 'posted' && this.#flaw === 'settles-twice') r.state = 'pending'
    if (r?.state === 'voided' && this.#flaw === 'settles-after-release') r.state = 'pending'
    const amount =
      'payments' in input
        ? input.payments.reduce((sum, p) => sum + p.amountMicros, 0n)
        : input.amountMicros
    if (r && amount > r.amount && this.#flaw === 'pays-beyond-the-reservation') r.amount = amount
    return super.settle(input)
  }

  override release(reservationId: string): Promise<void> {
    const r = this.reservations.get(reservationId)
    if (r?.state === 'voided' && this.#flaw === 'releases-twice') r.state = 'pending'
    if (r?.state === 'posted' && this.#flaw === 'releases-after-settle') r.state = 'pending'
    return super.release(reservationId)
  }
}
