import type { Pricing } from '@agentmesh/protocol'
import { parseAmount } from '@agentmesh/protocol'

/**
 * What a completed call costs under a capability's pricing, capped by the reservation:
 * `per_call` is the listed amount; `per_unit` is the amount times the units the provider reports
 * (at least one); `subscription` calls cost nothing each (the subscription is charged apart).
 */
export function callPriceMicros(
  pricing: Pricing,
  units: number | undefined,
  capMicros: bigint,
): bigint {
  const amount = parseAmount(pricing.amount)
  let price: bigint
  switch (pricing.model) {
    case 'per_call':
      price = amount
      break
    case 'per_unit':
      price = amount * BigInt(Math.max(1, Math.ceil(units ?? 1)))
      break
    case 'subscription':
      price = 0n
      break
  }
  return price > capMicros ? capMicros : price
}

/** The most a single call can cost before it runs (per-unit calls: one unit). */
export function listPriceMicros(pricing: Pricing): bigint {
  return pricing.model === 'subscription' ? 0n : parseAmount(pricing.amount)
}
