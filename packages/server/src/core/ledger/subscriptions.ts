import { MeshError, parseAmount, type Pricing } from '@agentmesh/protocol'
import type { Clock } from '../ports/clock.js'
import { periodEndMs, periodStartMs } from './budget-rules.js'
import type { LedgerService } from './ledger-service.js'
import { accountId, type Transfer } from './types.js'

type Period = 'day' | 'month'
const PREFIX = 'subscription:'
const HISTORY_PAGE = 500

/** A paid period of a subscription. */
export interface SubscriptionPeriod {
  subscriber: string
  provider: string
  capabilityId: string
  transfer: Transfer
  period: Period
  startsAtMs: number
  lapsesAtMs: number
  /** Whether the period is the current one. */
  active: boolean
}

/** What a subscription is to: a capability of one provider, sold at a price per period. */
interface SubscriptionTerms {
  subscriber: string
  provider: string
  capabilityId: string
  pricing: Pricing
}

/** Names a capability of an agent, as subscriptions key it: `AGENT_ID/CAPABILITY_ID`. */
const capabilityKey = (t: { provider: string; capabilityId: string }): string =>
  `${t.provider}/${t.capabilityId}`

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

  /** `subscription:SUBSCRIBER:AGENT/CAPABILITY:PERIOD:YYYY-MM-DD`, the period's first day. */
  #periodId(subscriber: string, key: string, period: Period, startMs: number): string {
    return `${PREFIX}${subscriber}:${key}:${period}:${new Date(startMs).toISOString().slice(0, 10)}`
  }

  /** Pays the current period (again is a no-op, answering the same payment). */
  async subscribe(input: SubscriptionTerms): Promise<SubscriptionPeriod & { created: boolean }> {
    const key = capabilityKey(input)
    if (input.pricing.model !== 'subscription')
      throw new MeshError('INVALID_INPUT', `Capability "${key}" is not sold by subscription`)
    if (input.subscriber === input.provider)
      throw new MeshError('INVALID_INPUT', 'An agent does not subscribe to itself')
    const period = input.pricing.period ?? 'month'
    const startsAtMs = periodStartMs(period, this.#clock.now())
    const id = this.#periodId(input.subscriber, key, period, startsAtMs)
    const before = await this.#ledger.getTransfer(id)
    const transfer =
      before ??
      (await this.#ledger.transfer(
        {
          kind: 'posted',
          id,
          debitAccount: accountId(input.subscriber, input.pricing.currency),
          creditAccount: accountId(input.provider, input.pricing.currency),
          amountMicros: parseAmount(input.pricing.amount),
          code: 'subscription',
          reference: key,
        },
        input.subscriber,
      ))
    if (!this.#pays(transfer, input.subscriber, input.provider))
      throw new MeshError('TRANSFER_CONFLICT', `Transfer "${id}" is not this subscription's`)
    return {
      subscriber: input.subscriber,
      provider: input.provider,
      capabilityId: input.capabilityId,
      transfer,
      period,
      startsAtMs,
      lapsesAtMs: periodEndMs(period, startsAtMs)!,
      active: true,
      created: !before,
    }
  }

  /** Throws SUBSCRIPTION_LAPSED unless the current period is paid. */
  async requireActive(input: SubscriptionTerms): Promise<void> {
    const key = capabilityKey(input)
    const period = input.pricing.period ?? 'month'
    const startsAtMs = periodStartMs(period, this.#clock.now())
    const id = this.#periodId(input.subscriber, key, period, startsAtMs)
    const paid = await this.#ledger.getTransfer(id)
    if (!paid || !this.#pays(paid, input.subscriber, input.provider)) {
      throw new MeshError(
        'SUBSCRIPTION_LAPSED',
        `Subscription to "${key}" is not paid for this period: renew it to call`,
        { details: { agentId: input.provider, capability: input.capabilityId } },
      )
    }
  }

  /**
   * The subscriber's latest paid period of each capability, among those paid since the start of
   * the current month (older ones have lapsed, whatever their period).
   */
  async list(subscriber: string, currency: string): Promise<SubscriptionPeriod[]> {
    const nowMs = this.#clock.now()
    const sinceMs = periodStartMs('month', nowMs)
    const latest = new Map<string, SubscriptionPeriod>()
    let before: { createdAtMs: number; id: string } | undefined
    for (;;) {
      const page = await this.#ledger.history(accountId(subscriber, currency), {
        limit: HISTORY_PAGE,
        ...(before ? { before } : {}),
      })
      for (const t of page) {
        if (t.createdAtMs < sinceMs) return [...latest.values()]
        const found = this.#parse(t, subscriber, nowMs)
        const key = found && capabilityKey(found)
        if (found && key && !latest.has(key)) latest.set(key, found)
      }
      const last = page.at(-1)
      if (!last || page.length < HISTORY_PAGE) return [...latest.values()]
      before = { createdAtMs: last.createdAtMs, id: last.id }
    }
  }

  #parse(t: Transfer, subscriber: string, nowMs: number): SubscriptionPeriod | undefined {
    if (t.code !== 'subscription' || !t.id.startsWith(`${PREFIX}${subscriber}:`)) return undefined
    if (t.reference === null || t.debitAccount !== accountId(subscriber, t.currency)) return
    const provider = t.creditAccount.slice(0, t.creditAccount.lastIndexOf(':'))
    if (!t.reference.startsWith(`${provider}/`)) return undefined
    const startsAtMs = Date.parse(`${t.id.slice(-10)}T00:00:00Z`)
    const period: Period = t.id.slice(-16, -11) === 'month' ? 'month' : 'day'
    const lapsesAtMs = periodEndMs(period, startsAtMs)!
    return {
      subscriber,
      provider,
      capabilityId: t.reference.slice(provider.length + 1),
      transfer: t,
      period,
      startsAtMs,
      lapsesAtMs,
      active: startsAtMs <= nowMs && nowMs < lapsesAtMs,
    }
  }

  #pays(t: Transfer, subscriber: string, provider: string): boolean {
    return (
      t.code === 'subscription' &&
      t.kind === 'posted' &&
      t.debitAccount === accountId(subscriber, t.currency) &&
      t.creditAccount === accountId(provider, t.currency)
    )
  }
}
