import { MeshError, parseAmount, type Pricing } from '@agentmesh/protocol'
import type { Clock } from '../ports/clock.js'
import { periodEndMs, periodStartMs } from './budget-rules.js'
import type { LedgerService } from './ledger-service.js'
import { accountId, type Transfer } from './types.js'

/**
 * Subscriptions: a `subscription` capability is paid once per period (day or month, UTC) by a
 * transfer whose id names the subscriber, the capability and the period, so paying twice for one
 * period is impossible. When the next period begins unpaid, the subscription has lapsed and calls
 * are refused until it is renewed.
 */
export class Subscriptions {
  readonly #ledger: LedgerService
  readonly #clock: Clock

  constructor(ledger: LedgerService, clock: Clock) {
    this.#ledger = ledger
    this.#clock = clock
  }

  #periodId(subscriber: string, capabilityKey: string, pricing: Pricing, nowMs: number): string {
    const start = periodStartMs(pricing.period ?? 'month', nowMs)
    return `subscription:${subscriber}:${capabilityKey}:${new Date(start).toISOString().slice(0, 10)}`
  }

  /** Pays the current period (again is a no-op); answers when it lapses. */
  async subscribe(input: {
    subscriber: string
    provider: string
    /** Names the capability, e.g. `AGENT_ID/CAPABILITY_ID`. */
    capabilityKey: string
    pricing: Pricing
  }): Promise<{ transfer: Transfer; lapsesAtMs: number }> {
    if (input.pricing.model !== 'subscription')
      throw new MeshError(
        'INVALID_INPUT',
        `Capability "${input.capabilityKey}" is not sold by subscription`,
      )
    const nowMs = this.#clock.now()
    const period = input.pricing.period ?? 'month'
    const transfer = await this.#ledger.transfer(
      {
        kind: 'posted',
        id: this.#periodId(input.subscriber, input.capabilityKey, input.pricing, nowMs),
        debitAccount: accountId(input.subscriber, input.pricing.currency),
        creditAccount: accountId(input.provider, input.pricing.currency),
        amountMicros: parseAmount(input.pricing.amount),
        code: 'subscription',
        reference: input.capabilityKey,
      },
      input.subscriber,
    )
    return { transfer, lapsesAtMs: periodEndMs(period, periodStartMs(period, nowMs))! }
  }

  /** Throws SUBSCRIPTION_LAPSED unless the current period is paid. */
  async requireActive(subscriber: string, capabilityKey: string, pricing: Pricing): Promise<void> {
    const id = this.#periodId(subscriber, capabilityKey, pricing, this.#clock.now())
    if (!(await this.#ledger.getTransfer(id))) {
      throw new MeshError(
        'SUBSCRIPTION_LAPSED',
        `Subscription to "${capabilityKey}" is not paid for this period: renew it to call`,
      )
    }
  }
}
