/**
 * Pricing and settlement arithmetic, in micro-units: what a call may cost (the reservation), what
 * it costs once it ran (base, less a latency penalty when the SLA was missed, never more than the
 * reservation), the quality bonus a rating releases and the platform's fee. Integer arithmetic
 * only; fractions round down.
 */
import { MeshError, parseAmount, type Pricing, type Sla } from '@agentmesh/protocol'

const BPS = 10_000n

/** Settlement policy, configured on the node. */
export interface SettlementPolicy {
  /**
   * Taken off the base price when the call was slower than the SLA, in basis points; a
   * capability whose SLA promises a bigger penalty (`sla.latencyPenaltyBps`) gets that one.
   */
  latencyPenaltyBps: number
  /** The platform's fee on each settled amount, in basis points (default 0). */
  feeBps: number
}

export const defaultSettlementPolicy: SettlementPolicy = { latencyPenaltyBps: 0, feeBps: 0 }

function bps(value: number, name: string): bigint {
  if (!Number.isInteger(value) || value < 0 || value > 10_000)
    throw new MeshError('INVALID_INPUT', `${name} "${value}" is not basis points from 0 to 10000`)
  return BigInt(value)
}

function units(value: number | bigint | undefined): bigint {
  if (value === undefined) return 1n
  const n = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n
  if (n < 0n) throw new MeshError('INVALID_INPUT', `Units "${String(value)}" is not a whole number`)
  return n
}

/**
 * The most a call may cost, which is what the requester reserves: the per-call price, the unit
 * price times `maxUnits` (default 1), and nothing for a subscription (paid per period).
 */
export function reservationFor(pricing: Pricing, maxUnits?: number | bigint): bigint {
  const price = parseAmount(pricing.amount)
  switch (pricing.model) {
    case 'per_call':
      return price
    case 'per_unit':
      return price * units(maxUnits)
    case 'subscription':
      return 0n
  }
}

/** Whether the call missed its SLA: slower than the promised p95 latency, else than the timeout. */
export function missedSla(sla: Sla, latencyMs: number): boolean {
  return latencyMs > (sla.p95LatencyMs ?? sla.timeoutMs)
}

/**
 * What a finished call costs, capped by the reservation: `per_call` is the listed amount,
 * `per_unit` the amount times the units the provider reports (one when it reports none), a
 * `subscription` call nothing (the period is paid apart). A call slower than the SLA's p95 loses
 * the latency penalty. Throws INVALID_INPUT for units that are not a whole number.
 */
export function settledCost(input: {
  pricing: Pricing
  reservedMicros: bigint
  /** For `per_unit`: the units the provider reports. */
  units?: number | bigint | undefined
  latencyMs?: number
  sla?: Sla
  policy?: SettlementPolicy
}): bigint {
  const policy = input.policy ?? defaultSettlementPolicy
  const price = parseAmount(input.pricing.amount)
  let base: bigint
  switch (input.pricing.model) {
    case 'per_call':
      base = price
      break
    case 'per_unit':
      base = price * units(input.units)
      break
    case 'subscription':
      return 0n
  }
  const late =
    input.sla !== undefined &&
    input.latencyMs !== undefined &&
    missedSla(input.sla, input.latencyMs)
  const penaltyBps = late
    ? maxBig(
        bps(policy.latencyPenaltyBps, 'Latency penalty'),
        bps(input.sla?.latencyPenaltyBps ?? 0, 'SLA latency penalty'),
      )
    : 0n
  const cost = base - (base * penaltyBps) / BPS
  return cost > input.reservedMicros ? input.reservedMicros : cost
}

/**
 * The quality bonus a requester's rating releases from what it set aside: all of it for five
 * stars, half for four, nothing below.
 */
export function ratingBonus(stars: number, setAsideMicros: bigint): bigint {
  if (stars >= 5) return setAsideMicros
  if (stars === 4) return setAsideMicros / 2n
  return 0n
}

/** The platform's fee on a settled amount (rounded down). */
export function platformFee(costMicros: bigint, feeBps: number): bigint {
  return (costMicros * bps(feeBps, 'Fee')) / BPS
}

const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b)
