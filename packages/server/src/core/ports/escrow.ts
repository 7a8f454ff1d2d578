/** One payee's share of a settlement. */
export interface EscrowPayment {
  payee: string
  amountMicros: bigint
}

/**
 * Escrow, as the task flow sees the ledger: reserve before dispatch, then settle or release
 * exactly once, and perhaps refund once. Every call is idempotent per `reservationId`: repeating it
 * (also concurrently) moves no more money. Settling after a release, or releasing after a settle,
 * moves no money and throws PENDING_ALREADY_RESOLVED. `test/core/ledger/escrow-contract.ts` checks
 * every implementation against these promises.
 */
export interface Escrow {
  /**
   * Moves `amountMicros` from the payer into a pending transfer that lapses after `timeoutMs`;
   * throws INSUFFICIENT_FUNDS or BUDGET_EXCEEDED, and then holds nothing.
   */
  reserve(input: {
    reservationId: string
    payer: string
    currency: string
    amountMicros: bigint
    timeoutMs: number
    /** What the money is for, e.g. the task id. */
    reference: string
  }): Promise<void>
  /**
   * Pays `amountMicros` to the payee (less the platform fee, if any) and returns the rest of the
   * reservation to the payer. With `payments` (a quorum), the reservation is posted once for all of
   * them together and each payee is paid its share; nothing to pay voids the reservation. More
   * than the reservation throws AMOUNT_EXCEEDS_PENDING, an unknown reservation TRANSFER_NOT_FOUND,
   * one past its timeout PENDING_EXPIRED; none of them moves money.
   */
  settle(
    input:
      | { reservationId: string; payee: string; amountMicros: bigint }
      | { reservationId: string; payments: EscrowPayment[] },
  ): Promise<void>
  /** Returns the whole reservation to the payer; an unknown or lapsed one is left as it is. */
  release(reservationId: string): Promise<void>
  /**
   * Gives a settled reservation's payments back to the payer, all of them or `amountMicros`,
   * exactly once (a second refund throws ALREADY_REFUNDED); with `from`, only that payee's.
   * Answers what was refunded.
   */
  refund(input: { reservationId: string; amountMicros?: bigint; from?: string }): Promise<bigint>
}
