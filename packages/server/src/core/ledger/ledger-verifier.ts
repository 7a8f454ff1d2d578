/**
 * `ledger verify`: recomputes every balance from the transfers and checks the invariants of
 * ARCHITECTURE.md. Streaming: feed transfers in any order, then the stored accounts.
 */
import { formatAmount } from '@agentmesh/protocol'
import { SYSTEM, type Account, type Transfer } from './types.js'

export interface VerifyReport {
  ok: boolean
  accounts: number
  transfers: number
  /** Per currency: total debits and credits, posted and pending, as decimal strings. */
  totals: Record<
    string,
    { debitsPosted: string; creditsPosted: string; debitsPending: string; creditsPending: string }
  >
  /** One line per broken invariant; empty when the ledger is sound. */
  problems: string[]
}

interface Totals {
  debitsPosted: bigint
  creditsPosted: bigint
  debitsPending: bigint
  creditsPending: bigint
}

const zero = (): Totals => ({
  debitsPosted: 0n,
  creditsPosted: 0n,
  debitsPending: 0n,
  creditsPending: 0n,
})
const MAX_PROBLEMS = 100

/** What escrow did for one reference (a task): settlements, and posted money in and out. */
interface EscrowFlow {
  /** The reservations posted for it (a legacy quorum's several count as one). */
  settlements: Set<string>
  inMicros: bigint
  outMicros: bigint
  settledMicros: bigint
  refundedMicros: bigint
}

const isEscrow = (account: string): boolean => account.startsWith(`${SYSTEM.escrow}:`)

export class LedgerVerifier {
  readonly #balances = new Map<string, Totals>()
  readonly #pendings = new Map<string, Transfer>()
  readonly #resolutions = new Map<string, Transfer[]>()
  /** Per task (the escrow reference): its settlements, and escrow's money in and out for it. */
  readonly #escrowByReference = new Map<string, EscrowFlow>()
  readonly #problems: string[] = []
  #transfers = 0

  #problem(text: string): void {
    if (this.#problems.length < MAX_PROBLEMS) this.#problems.push(text)
  }

  #totals(id: string): Totals {
    let totals = this.#balances.get(id)
    if (!totals) this.#balances.set(id, (totals = zero()))
    return totals
  }

  #flow(reference: string): EscrowFlow {
    let flow = this.#escrowByReference.get(reference)
    if (!flow)
      this.#escrowByReference.set(
        reference,
        (flow = {
          settlements: new Set(),
          inMicros: 0n,
          outMicros: 0n,
          refundedMicros: 0n,
          settledMicros: 0n,
        }),
      )
    return flow
  }

  /** Escrow's posted money in and out, per reference. */
  #escrowFlow(t: Transfer): void {
    if (t.kind === 'pending' || t.kind === 'void' || t.reference === null) return
    const into = isEscrow(t.creditAccount)
    const outOf = isEscrow(t.debitAccount)
    if (!into && !outOf) return
    const flow = this.#flow(t.reference)
    if (into) flow.inMicros += t.amountMicros
    if (outOf) flow.outMicros += t.amountMicros
    if (t.kind === 'post' && into) flow.settledMicros += t.amountMicros
    if (t.code === 'refund' && outOf) flow.refundedMicros += t.amountMicros
  }

  add(t: Transfer): void {
    this.#transfers++
    this.#escrowFlow(t)
    const debit = this.#totals(t.debitAccount)
    const credit = this.#totals(t.creditAccount)
    if (t.amountMicros < 0n) this.#problem(`Transfer "${t.id}" has a negative amount`)
    switch (t.kind) {
      case 'posted':
        debit.debitsPosted += t.amountMicros
        credit.creditsPosted += t.amountMicros
        break
      case 'pending':
        this.#pendings.set(t.id, t)
        if (t.state === 'pending') {
          debit.debitsPending += t.amountMicros
          credit.creditsPending += t.amountMicros
        }
        break
      case 'post':
        debit.debitsPosted += t.amountMicros
        credit.creditsPosted += t.amountMicros
        this.#resolution(t)
        if (t.code === 'escrow' && t.reference !== null) {
          // A quorum settled before one reservation per task paid each payee from a reservation
          // `reserve:TASK:N` of its own: together they are one settlement.
          const legacyQuorum = t.pendingId?.startsWith(`reserve:${t.reference}:`) === true
          this.#flow(t.reference).settlements.add(legacyQuorum ? 'quorum' : (t.pendingId ?? t.id))
        }
        break
      case 'void':
        this.#resolution(t)
        break
    }
  }

  #resolution(t: Transfer): void {
    const key = t.pendingId ?? ''
    this.#resolutions.set(key, [...(this.#resolutions.get(key) ?? []), t])
  }

  /** Compares with the stored accounts and answers the report. */
  finish(accounts: Iterable<Account>): VerifyReport {
    this.#checkResolutions()
    this.#checkEscrow()
    const totals = new Map<string, Totals>()
    let count = 0
    const seen = new Set<string>()
    for (const account of accounts) {
      count++
      seen.add(account.id)
      const computed = this.#balances.get(account.id) ?? zero()
      for (const field of [
        'debitsPosted',
        'creditsPosted',
        'debitsPending',
        'creditsPending',
      ] as const) {
        if (computed[field] !== account[field]) {
          this.#problem(
            `Account "${account.id}" stores ${field} ${formatAmount(account[field])}, transfers give ${formatAmount(computed[field])}`,
          )
        }
      }
      if (
        account.noOverdraft &&
        account.debitsPosted + account.debitsPending > account.creditsPosted
      ) {
        this.#problem(`Account "${account.id}" is overdrawn`)
      }
      const sum = totals.get(account.currency) ?? zero()
      sum.debitsPosted += computed.debitsPosted
      sum.creditsPosted += computed.creditsPosted
      sum.debitsPending += computed.debitsPending
      sum.creditsPending += computed.creditsPending
      totals.set(account.currency, sum)
    }
    for (const id of this.#balances.keys()) {
      if (!seen.has(id)) this.#problem(`Transfers name account "${id}", which does not exist`)
    }
    const report: VerifyReport['totals'] = {}
    for (const [currency, sum] of totals) {
      if (sum.debitsPosted !== sum.creditsPosted)
        this.#problem(
          `${currency}: posted debits ${formatAmount(sum.debitsPosted)} differ from credits ${formatAmount(sum.creditsPosted)}`,
        )
      if (sum.debitsPending !== sum.creditsPending)
        this.#problem(
          `${currency}: pending debits ${formatAmount(sum.debitsPending)} differ from credits ${formatAmount(sum.creditsPending)}`,
        )
      report[currency] = {
        debitsPosted: formatAmount(sum.debitsPosted),
        creditsPosted: formatAmount(sum.creditsPosted),
        debitsPending: formatAmount(sum.debitsPending),
        creditsPending: formatAmount(sum.creditsPending),
      }
    }
    return {
      ok: this.#problems.length === 0,
      accounts: count,
      transfers: this.#transfers,
      totals: report,
      problems: [...this.#problems],
    }
  }

  /**
   * Each task settles at most once (one post of its reservation, however many payees it pays),
   * escrow pays out exactly what the settlement and any refund put in, and a refund gives back
   * no more than was settled. References without a reservation (none of the node's) are left out.
   */
  #checkEscrow(): void {
    for (const [reference, flow] of this.#escrowByReference) {
      if (flow.settlements.size === 0) continue
      if (flow.settlements.size > 1)
        this.#problem(`Task "${reference}" settled ${flow.settlements.size} times`)
      if (flow.inMicros !== flow.outMicros)
        this.#problem(
          `Escrow took ${formatAmount(flow.inMicros)} for "${reference}" and paid out ${formatAmount(flow.outMicros)}`,
        )
      if (flow.refundedMicros > flow.settledMicros)
        this.#problem(
          `"${reference}" was refunded ${formatAmount(flow.refundedMicros)}, more than the ${formatAmount(flow.settledMicros)} settled`,
        )
    }
  }

  #checkResolutions(): void {
    for (const [pendingId, list] of this.#resolutions) {
      const pending = this.#pendings.get(pendingId)
      if (!pending) {
        this.#problem(
          `Transfer "${list[0]!.id}" resolves "${pendingId}", which is not a pending transfer`,
        )
        continue
      }
      if (list.length > 1)
        this.#problem(`Pending transfer "${pendingId}" was resolved ${list.length} times`)
      const first = list[0]!
      const expected = first.kind === 'post' ? 'posted' : 'voided'
      if (pending.state !== expected)
        this.#problem(
          `Pending transfer "${pendingId}" is ${pending.state ?? 'null'} but has a ${first.kind}`,
        )
      if (first.kind === 'post' && first.amountMicros > pending.amountMicros)
        this.#problem(`Post "${first.id}" pays more than its pending transfer holds`)
    }
    for (const pending of this.#pendings.values()) {
      if (
        (pending.state === 'posted' || pending.state === 'voided') &&
        !this.#resolutions.has(pending.id)
      )
        this.#problem(`Pending transfer "${pending.id}" is ${pending.state} without a post or void`)
    }
  }
}
