/**
 * `ledger verify`: recomputes every balance from the transfers and checks the invariants of
 * ARCHITECTURE.md. Streaming: feed transfers in any order, then the stored accounts.
 */
import { formatAmount } from '@agentmesh/protocol'
import type { Account, Transfer } from './types.js'

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

export class LedgerVerifier {
  readonly #balances = new Map<string, Totals>()
  readonly #pendings = new Map<string, Transfer>()
  readonly #resolutions = new Map<string, Transfer[]>()
  readonly #escrowPostsByReference = new Map<string, number>()
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

  add(t: Transfer): void {
    this.#transfers++
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
          const n = (this.#escrowPostsByReference.get(t.reference) ?? 0) + 1
          this.#escrowPostsByReference.set(t.reference, n)
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
    for (const [reference, posts] of this.#escrowPostsByReference) {
      if (posts > 1) this.#problem(`Task "${reference}" settled ${posts} times`)
    }
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
