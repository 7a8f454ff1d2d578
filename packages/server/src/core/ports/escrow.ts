/**
 * Escrow, as the task flow sees the ledger: reserve before dispatch, then settle or release
 * exactly once. Every call is idempotent per `reservationId`.
 */
export interface Escrow {
  /** Moves `amountMicros` from the payer into a pending transfer; throws INSUFFICIENT_FUNDS or BUDGET_EXCEEDED. */
  reserve(input: {
    reservationId: string
    payer: string
    currency: string
    amountMicros: bigint
    timeoutMs: number
    /** What the money is for, e.g. the task id. */
    reference: string
  }): Promise<void>
  /** Pays `amountMicros` (at most the reservation) to the payee and returns the rest to the payer. */
  settle(input: { reservationId: string; payee: string; amountMicros: bigint }): Promise<void>
  /** Returns the whole reservation to the payer. */
  release(reservationId: string): Promise<void>
}
