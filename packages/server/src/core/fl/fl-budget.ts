import type { LedgerService } from '../ledger/ledger-service.js'
import { platformFee } from '../ledger/pricing.js'
import { succeeded, transferError } from '../ledger/transfer-errors.js'
import { accountId, SYSTEM, type TransferInput } from '../ledger/types.js'

/** One trainer's pay for a round's accepted update. */
export interface FlPayment {
  payee: string
  amountMicros: bigint
}

/** Transfer ids of a job's round; deterministic, so a repeated step moves no more money. */
const ids = (job: string, round: number) => ({
  hold: `fl-hold:${job}:${round}`,
  post: `fl-post:${job}:${round}`,
  void: `fl-void:${job}:${round}`,
  pay: (i: number) => `fl-pay:${job}:${round}:${i}`,
  fee: (i: number) => `fl-fee:${job}:${round}:${i}`,
  /** What escrow holds the round's money for: one settlement per reference, as for a task. */
  reference: `fl:${job}:${round}`,
})

/**
 * A job's budget in escrow: at the start, one pending transfer per round from the owner's account
 * to escrow (all or none, as one linked chain), each the most that round can pay. An approved
 * round posts its hold for what its accepted updates earned and pays each trainer out of escrow,
 * less the platform fee, linked with the post; the rest goes back to the owner. A rejected round,
 * or one that paid nobody, voids its hold. Each hold is resolved once, so `ledger verify` sees
 * every round settle at most once and escrow pay out what it took.
 */
export class FlBudget {
  readonly #ledger: LedgerService
  readonly #feeBps: number
  readonly #nodeDid: string

  constructor(ledger: LedgerService, options: { feeBps: number; nodeDid: string }) {
    this.#ledger = ledger
    this.#feeBps = options.feeBps
    this.#nodeDid = options.nodeDid
  }

  /** Holds `roundMicros` for each round; throws INSUFFICIENT_FUNDS or BUDGET_EXCEEDED, holding nothing. */
  async open(input: {
    job: string
    owner: string
    currency: string
    rounds: number
    roundMicros: bigint
    timeoutMs: number
  }): Promise<void> {
    const chain: TransferInput[] = []
    for (let round = 1; round <= input.rounds; round++) {
      const { hold, reference } = ids(input.job, round)
      chain.push({
        kind: 'pending',
        id: hold,
        debitAccount: accountId(input.owner, input.currency),
        creditAccount: accountId(SYSTEM.escrow, input.currency),
        amountMicros: input.roundMicros,
        code: 'escrow',
        reference,
        timeoutMs: input.timeoutMs,
        linked: round < input.rounds,
      })
    }
    await this.#all(chain, input.owner)
  }

  /** Pays a round's accepted updates out of its hold; nothing to pay gives the hold back. */
  async pay(job: string, round: number, payments: FlPayment[], currency: string): Promise<void> {
    const paying = payments.filter((p) => p.amountMicros > 0n)
    const total = paying.reduce((sum, p) => sum + p.amountMicros, 0n)
    if (total === 0n) return this.release(job, round)
    const id = ids(job, round)
    const escrow = accountId(SYSTEM.escrow, currency)
    const chain: TransferInput[] = [
      { kind: 'post', id: id.post, pendingId: id.hold, amountMicros: total },
    ]
    paying.forEach((payment, i) => {
      const fee = platformFee(payment.amountMicros, this.#feeBps)
      const out = (
        transferId: string,
        owner: string,
        amountMicros: bigint,
        code: 'payment' | 'fee',
      ) => {
        if (amountMicros <= 0n) return
        chain.push({
          kind: 'posted',
          id: transferId,
          debitAccount: escrow,
          creditAccount: accountId(owner, currency),
          amountMicros,
          code,
          reference: id.reference,
        })
      }
      out(id.pay(i), payment.payee, payment.amountMicros - fee, 'payment')
      out(id.fee(i), SYSTEM.fees, fee, 'fee')
    })
    await this.#all(
      chain.map((t, i) => ({ ...t, linked: i < chain.length - 1 })),
      this.#nodeDid,
    )
  }

  /** Gives a round's hold back to the owner; one resolved or lapsed already is left as it is. */
  async release(job: string, round: number): Promise<void> {
    const id = ids(job, round)
    const [result] = await this.#ledger.createTransfers(
      [{ kind: 'void', id: id.void, pendingId: id.hold }],
      this.#nodeDid,
    )
    if (!result || succeeded(result)) return
    const settled = [
      'pending_not_found',
      'pending_expired',
      'pending_already_posted',
      'pending_already_voided',
    ]
    if (!settled.includes(result.result)) throw transferError(result)
  }

  /** Creates the transfers as one linked chain; throws the first real failure. */
  async #all(chain: TransferInput[], actor: string): Promise<void> {
    const results = await this.#ledger.createTransfers(chain, actor)
    const failed =
      results.find((r) => !succeeded(r) && !r.result.startsWith('linked_event')) ??
      results.find((r) => !succeeded(r))
    if (failed) throw transferError(failed, chain[results.indexOf(failed)])
  }
}
