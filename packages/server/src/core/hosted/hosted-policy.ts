import { MeshError } from '@agentmesh/protocol'
import type { HostedLimits, ResourcePrice } from './hosted-types.js'

/** What a node allows hosted agents: code size, limits (defaults and maxima), its own rate. */
export interface HostedPolicy {
  maxCodeBytes: number
  defaultLimits: HostedLimits
  maxLimits: HostedLimits
  /** The guest's stack, set by the node for every call. */
  stackBytes: number
  /** The node's rate per resource, charged unless the owner declares a higher one. */
  price: ResourcePrice
  /** Lines of log kept per hosted agent. */
  logLines: number
}

const MB = 1024 * 1024

/** The owner's limits over the node's defaults; refuses one above the node's maximum. */
export function resolveLimits(
  policy: HostedPolicy,
  asked: Partial<HostedLimits> | undefined,
  base: HostedLimits = policy.defaultLimits,
): HostedLimits {
  const limits = { ...base, ...asked }
  for (const name of ['memoryBytes', 'cpuMs', 'wallMs'] as const) {
    if (limits[name] > policy.maxLimits[name]) {
      throw new MeshError(
        'INVALID_INPUT',
        `Limit ${name} ${limits[name]} is above this node's maximum ${policy.maxLimits[name]}`,
        { details: { path: `/limits/${name}`, maximum: policy.maxLimits[name] } },
      )
    }
  }
  return limits
}

/**
 * The price the owner pays: its own when it declares one (in the node's currency, at least the
 * node's rate on each resource), else the node's rate.
 */
export function resolvePrice(policy: HostedPolicy, asked: ResourcePrice | null): ResourcePrice {
  if (!asked) return policy.price
  if (asked.currency !== policy.price.currency) {
    throw new MeshError(
      'CURRENCY_MISMATCH',
      `Resource price is in "${asked.currency}"; this node bills in "${policy.price.currency}"`,
    )
  }
  if (
    asked.cpuSecondMicros < policy.price.cpuSecondMicros ||
    asked.mbSecondMicros < policy.price.mbSecondMicros
  ) {
    throw new MeshError('INVALID_INPUT', "Resource price is below this node's rate", {
      details: { path: '/resourcePrice' },
    })
  }
  return asked
}

/** Divides rounding up: a started micro-unit is billed. */
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b

/**
 * What a call's usage costs at `price`: CPU seconds, plus peak megabytes held for the wall
 * seconds; in micro-units, rounded up.
 */
export function resourceCost(
  usage: { cpuMs: number; wallMs: number; peakMemoryBytes: number },
  price: ResourcePrice,
): bigint {
  const cpuMs = BigInt(Math.ceil(Math.max(0, usage.cpuMs)))
  const wallMs = BigInt(Math.ceil(Math.max(0, usage.wallMs)))
  const bytes = BigInt(Math.ceil(Math.max(0, usage.peakMemoryBytes)))
  return (
    ceilDiv(cpuMs * price.cpuSecondMicros, 1000n) +
    ceilDiv(bytes * wallMs * price.mbSecondMicros, BigInt(MB) * 1000n)
  )
}

/** The most a call within `limits` can cost: what is held from the owner before it runs. */
export function maxResourceCost(limits: HostedLimits, price: ResourcePrice): bigint {
  return resourceCost(
    { cpuMs: limits.cpuMs, wallMs: limits.wallMs, peakMemoryBytes: limits.memoryBytes },
    price,
  )
}
