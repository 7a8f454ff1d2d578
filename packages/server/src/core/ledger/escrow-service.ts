import { MeshError } from '@agentmesh/protocol'
import type { Escrow } from '../ports/escrow.js'
import type { LedgerService } from './ledger-service.js'
import { platformFee } from './pricing.js'
import { succeeded, transferError } from './transfer-errors.js'
import { accountId, SYSTEM, type Transfer, type TransferInput } from './types.js'

/** The transfer ids a reservation uses; deterministic, so every call is idempotent. */
export const escrowIds = (reservationId: string) => ({
  reserve: `reserve:${reservationId}`,
  settle: `settle:${reservationId}`,
  pay: `pay:${reservationId}`,
  fee: `fee:${reservationId}`,
  release: `release:${reservationId}`,
  refund: `refund:${reservationId}`,
})

/**
 * The `Escrow` port on the ledger. A reservation is a pending transfer from the payer to the
 * escrow account; settling posts (part of) it and, linked with the post, pays the payee and the
 * platform fee out of escrow; the rest returns to the payer. Releasing voids it.
 */
export class LedgerEscrow implements Escrow {
  readonly #ledger: LedgerService
  readonly #feeBps: number
  readonly #actor: string

  constructor(ledger: LedgerService, options: { feeBps: number; nodeDid: string }) {
    this.#ledger = ledger
    this.#feeBps = options.feeBps
    this.#actor = options.nodeDid
  }

  async reserve(input: Parameters<Escrow['reserve']>[0]): Promise<void> {
    await this.#ledger.transfer(
      {
        kind: 'pending',
        id: escrowIds(input.reservationId).reserve,
        debitAccount: accountId(input.payer, input.currency),
        creditAccount: accountId(SYSTEM.escrow, input.currency),
        amountMicros: input.amountMicros,
        code: 'escrow',
        reference: input.reference,
        timeoutMs: input.timeoutMs,
      },
      input.payer,
    )
  }

  async settle(input: {
    reservationId: string
    payee: string
    amountMicros: bigint
  }): Promise<void> {
    const ids = escrowIds(input.reservationId)
    const pending = await this.#reservation(input.reservationId)
    const escrow = pending.creditAccount
    const fee = platformFee(input.amountMicros, this.#feeBps)
    const chain: TransferInput[] = [
      { kind: 'post', id: ids.settle, pendingId: pending.id, amountMicros: input.amountMicros },
    ]
    const pay = input.amountMicros - fee
    if (pay > 0n) {
      chain.push({
        kind: 'posted',
        id: ids.pay,
        debitAccount: escrow,
        creditAccount: accountId(input.payee, pending.currency),
        amountMicros: pay,
        code: 'payment',
        reference: pending.reference ?? input.reservationId,
      })
    }
    if (fee > 0n) {
      chain.push({
        kind: 'posted',
        id: ids.fee,
        debitAccount: escrow,
        creditAccount: accountId(SYSTEM.fees, pending.currency),
        amountMicros: fee,
        code: 'fee',
        reference: pending.reference ?? input.reservationId,
      })
    }
    await this.#all(chain)
  }

  async release(reservationId: string): Promise<void> {
    const ids = escrowIds(reservationId)
    const [result] = await this.#ledger.createTransfers(
      [{ kind: 'void', id: ids.release, pendingId: ids.reserve }],
      this.#actor,
    )
    // Nothing reserved, or the timeout released it already: the money is back either way.
    if (!result || succeeded(result)) return
    if (result.result === 'pending_not_found' || result.result === 'pending_expired') return
    throw transferError(result)
  }

  /**
   * Reverses a settled reservation in full: the payee and the fee account pay back into escrow and
   * escrow pays the payer, all linked; each refund references the transfer it reverses.
   */
  async refund(reservationId: string): Promise<void> {
    const ids = escrowIds(reservationId)
    const pending = await this.#reservation(reservationId)
    const [settled, paid, fee] = await Promise.all(
      [ids.settle, ids.pay, ids.fee].map((id) => this.#ledger.getTransfer(id)),
    )
    if (!settled) throw new MeshError('CONFLICT', `Reservation "${reservationId}" is not settled`)
    const chain: TransferInput[] = []
    for (const [part, t] of [
      ['pay', paid],
      ['fee', fee],
    ] as const) {
      if (!t) continue
      chain.push({
        kind: 'posted',
        id: `${ids.refund}:${part}`,
        debitAccount: t.creditAccount,
        creditAccount: t.debitAccount,
        amountMicros: t.amountMicros,
        code: 'refund',
        reference: t.id,
      })
    }
    if (settled.amountMicros > 0n) {
      chain.push({
        kind: 'posted',
        id: ids.refund,
        debitAccount: pending.creditAccount,
        creditAccount: pending.debitAccount,
        amountMicros: settled.amountMicros,
        code: 'refund',
        reference: settled.id,
      })
    }
    await this.#all(chain)
  }

  async #reservation(reservationId: string): Promise<Transfer> {
    const pending = await this.#ledger.getTransfer(escrowIds(reservationId).reserve)
    if (!pending || pending.kind !== 'pending')
      throw new MeshError('TRANSFER_NOT_FOUND', `Reservation "${reservationId}" does not exist`)
    return pending
  }

  /** Creates the transfers as one linked chain; throws the first real failure. */
  async #all(chain: TransferInput[]): Promise<void> {
    const linked = chain.map((t, i) => ({ ...t, linked: i < chain.length - 1 }))
    const results = await this.#ledger.createTransfers(linked, this.#actor)
    const failed =
      results.find((r) => !succeeded(r) && !r.result.startsWith('linked_event')) ??
      results.find((r) => !succeeded(r))
    if (failed) throw transferError(failed, linked[results.indexOf(failed)])
  }
}
