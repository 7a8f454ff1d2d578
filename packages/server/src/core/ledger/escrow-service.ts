import { formatAmount, MeshError } from '@agentmesh/protocol'
import type { Escrow, EscrowPayment } from '../ports/escrow.js'
import type { LedgerService } from './ledger-service.js'
import { platformFee } from './pricing.js'
import { succeeded, transferError } from './transfer-errors.js'
import { accountId, SYSTEM, type Transfer, type TransferInput } from './types.js'

/** How many payees one settlement may pay (a quorum has at most 9). */
const MAX_PAYEES = 16

/**
 * The transfer ids a reservation uses; deterministic, so every call is idempotent. Payee `i` of a
 * settlement (from 0) is paid by `pay` and `fee` with the suffix `:i+1`, none for the first.
 */
export const escrowIds = (reservationId: string, payee = 0) => {
  const suffix = payee === 0 ? '' : `:${payee + 1}`
  return {
    reserve: `reserve:${reservationId}`,
    settle: `settle:${reservationId}`,
    pay: `pay:${reservationId}${suffix}`,
    fee: `fee:${reservationId}${suffix}`,
    release: `release:${reservationId}`,
    refund: `refund:${reservationId}`,
    refundPay: `refund:pay:${reservationId}${suffix}`,
    refundFee: `refund:fee:${reservationId}${suffix}`,
  }
}

/** What one payee got out of a settlement: the gross share, split into pay and fee. */
interface Share {
  index: number
  pay: Transfer | undefined
  fee: Transfer | undefined
  grossMicros: bigint
}

/**
 * The `Escrow` port on the ledger. A reservation is a pending transfer from the payer to the
 * escrow account; settling posts (part of) it once and, linked with the post, pays each payee and
 * the platform fee out of escrow; the rest returns to the payer. Releasing voids it. A refund
 * moves the payees' and the fee's parts back into escrow and out to the payer, linked, once.
 * Every escrow transfer references the reservation's reference (the task), so that `ledger verify`
 * can check that each task settles once and that escrow pays out exactly what it took.
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

  async settle(input: Parameters<Escrow['settle']>[0]): Promise<void> {
    const all: EscrowPayment[] =
      'payments' in input
        ? input.payments
        : [{ payee: input.payee, amountMicros: input.amountMicros }]
    const payments = all.filter((p) => p.amountMicros > 0n)
    if (payments.length > MAX_PAYEES)
      throw new MeshError('INVALID_INPUT', `A settlement pays at most ${MAX_PAYEES} payees`)
    const total = payments.reduce((sum, p) => sum + p.amountMicros, 0n)
    // Nothing to pay: the reservation goes back whole (a post of nothing moves no money).
    if (total === 0n) return this.#void(input.reservationId)
    const pending = await this.#reservation(input.reservationId)
    const escrow = pending.creditAccount
    const reference = pending.reference ?? input.reservationId
    const chain: TransferInput[] = [
      {
        kind: 'post',
        id: escrowIds(input.reservationId).settle,
        pendingId: pending.id,
        amountMicros: total,
      },
    ]
    for (const [i, payment] of payments.entries()) {
      const ids = escrowIds(input.reservationId, i)
      const fee = platformFee(payment.amountMicros, this.#feeBps)
      const pay = payment.amountMicros - fee
      const out = (id: string, owner: string, amountMicros: bigint, code: 'payment' | 'fee') => {
        if (amountMicros > 0n) {
          chain.push({
            kind: 'posted',
            id,
            debitAccount: escrow,
            creditAccount: accountId(owner, pending.currency),
            amountMicros,
            code,
            reference,
          })
        }
      }
      out(ids.pay, payment.payee, pay, 'payment')
      out(ids.fee, SYSTEM.fees, fee, 'fee')
    }
    await this.#all(chain)
  }

  release(reservationId: string): Promise<void> {
    return this.#void(reservationId)
  }

  async #void(reservationId: string): Promise<void> {
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

  async refund(input: {
    reservationId: string
    amountMicros?: bigint
    from?: string
  }): Promise<bigint> {
    const ids = escrowIds(input.reservationId)
    const pending = await this.#reservation(input.reservationId)
    if (await this.#ledger.getTransfer(ids.refund)) throw alreadyRefunded(input.reservationId)
    if (!(await this.#ledger.getTransfer(ids.settle)))
      throw new MeshError('TASK_NOT_SETTLED', `Reservation "${input.reservationId}" paid nothing`)
    const from = input.from === undefined ? undefined : accountId(input.from, pending.currency)
    const shares = (await this.#shares(input.reservationId)).filter(
      (s) => from === undefined || s.pay?.creditAccount === from,
    )
    const refundable = shares.reduce((sum, s) => sum + s.grossMicros, 0n)
    const amount = input.amountMicros ?? refundable
    if (amount <= 0n || amount > refundable) {
      throw new MeshError(
        'INVALID_AMOUNT',
        `Refund "${formatAmount(amount)}" is not between 0 and the ${formatAmount(refundable)} paid`,
      )
    }
    const reference = pending.reference ?? input.reservationId
    const chain: TransferInput[] = []
    let remaining = amount
    for (const share of shares) {
      const take = share.grossMicros < remaining ? share.grossMicros : remaining
      if (take === 0n) break
      remaining -= take
      // The fee gives back its own proportion of what is taken; the payee the rest.
      const feePart = share.fee ? (share.fee.amountMicros * take) / share.grossMicros : 0n
      const shareIds = escrowIds(input.reservationId, share.index)
      for (const [id, source, part] of [
        [shareIds.refundPay, share.pay, take - feePart],
        [shareIds.refundFee, share.fee, feePart],
      ] as const) {
        if (!source || part === 0n) continue
        chain.push({
          kind: 'posted',
          id,
          debitAccount: source.creditAccount,
          creditAccount: source.debitAccount,
          amountMicros: part,
          code: 'refund',
          reference,
        })
      }
    }
    chain.push({
      kind: 'posted',
      id: ids.refund,
      debitAccount: pending.creditAccount,
      creditAccount: pending.debitAccount,
      amountMicros: amount,
      code: 'refund',
      reference,
    })
    const results = await this.#ledger.createTransfers(
      chain.map((t, i) => ({ ...t, linked: i < chain.length - 1 })),
      this.#actor,
    )
    // A refund creates only new transfers: one found again means another refund came first.
    if (results.some((r) => r.result === 'exists' || r.result === 'exists_with_different_fields'))
      throw alreadyRefunded(input.reservationId)
    this.#throwFirstFailure(results, chain)
    return amount
  }

  /** Each payee's share of a settlement, in payee order. */
  async #shares(reservationId: string): Promise<Share[]> {
    const shares: Share[] = []
    for (let index = 0; index < MAX_PAYEES; index++) {
      const ids = escrowIds(reservationId, index)
      const [pay, fee] = await Promise.all([
        this.#ledger.getTransfer(ids.pay),
        this.#ledger.getTransfer(ids.fee),
      ])
      if (!pay && !fee) break
      const grossMicros = (pay?.amountMicros ?? 0n) + (fee?.amountMicros ?? 0n)
      shares.push({ index, pay, fee, grossMicros })
    }
    return shares
  }

  /**
   * Reservations still held, by reservation id, strictly after `after`: at least `limit` of them
   * unless there are no more.
   */
  async held(
    after: string,
    limit: number,
  ): Promise<{ reservationId: string; reference: string | null }[]> {
    const prefix = escrowIds('').reserve
    const held: { reservationId: string; reference: string | null }[] = []
    let cursor = `${prefix}${after}`
    for (;;) {
      const page = await this.#ledger.held('escrow', cursor, limit)
      for (const t of page) {
        if (t.id.startsWith(prefix))
          held.push({ reservationId: t.id.slice(prefix.length), reference: t.reference })
      }
      if (page.length < limit || held.length >= limit) return held
      cursor = page[page.length - 1]!.id
    }
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
    this.#throwFirstFailure(await this.#ledger.createTransfers(linked, this.#actor), linked)
  }

  #throwFirstFailure(
    results: Awaited<ReturnType<LedgerService['createTransfers']>>,
    chain: TransferInput[],
  ): void {
    const failed =
      results.find((r) => !succeeded(r) && !r.result.startsWith('linked_event')) ??
      results.find((r) => !succeeded(r))
    if (failed) throw transferError(failed, chain[results.indexOf(failed)])
  }
}

function alreadyRefunded(reservationId: string): MeshError {
  return new MeshError('ALREADY_REFUNDED', `Reservation "${reservationId}" was refunded already`)
}
