import { MeshError, parseMoney, type Capability } from '@agentmesh/protocol'
import { reservationFor } from '../../core/ledger/pricing.js'

/** What a task through A2A is submitted with. */
export interface MessageTerms {
  capability: string
  maxPriceMicros: bigint
  currency: string
  timeoutMs?: number
}

/** Finds the list price of a capability among the online providers (the node's endpoint). */
export interface PriceSource {
  /** The highest list price among the capability's online providers, or undefined when none. */
  listPrice(capabilityId: string): Promise<{ micros: bigint; currency: string } | undefined>
}

const MAX_TIMEOUT_MS = 600_000

/**
 * Reads a message's terms from its metadata (the message's own over the request's):
 * - `capability` (or `skill`): the capability to call; optional when the endpoint offers one;
 * - `maxPrice`: `{amount, currency}` or a decimal string in USD; without it, the capability's list
 *   price (per-unit pricing: one unit) is the ceiling;
 * - `timeoutMs`: the task's deadline.
 */
export async function readTerms(
  metadata: Record<string, unknown>,
  target: { agentId: string | undefined; capabilities: Capability[] },
  prices: PriceSource,
): Promise<MessageTerms> {
  const named = metadata.capability ?? metadata.skill
  if (named !== undefined && typeof named !== 'string') {
    throw new MeshError('INVALID_INPUT', 'metadata.capability must be a string')
  }
  const only = target.capabilities.length === 1 ? target.capabilities[0] : undefined
  const capabilityId = named ?? only?.id
  if (!capabilityId) {
    throw new MeshError(
      'INVALID_INPUT',
      "Name the capability (one of the card's skills) in metadata.capability",
    )
  }
  const capability = target.capabilities.find((c) => c.id === capabilityId)
  if (target.agentId !== undefined && !capability) {
    throw new MeshError('CAPABILITY_NOT_FOUND', `This agent has no capability "${capabilityId}"`)
  }
  const timeout = metadata.timeoutMs
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' ||
      !Number.isInteger(timeout) ||
      timeout < 1 ||
      timeout > MAX_TIMEOUT_MS)
  ) {
    throw new MeshError(
      'INVALID_INPUT',
      `metadata.timeoutMs must be a whole number from 1 to ${MAX_TIMEOUT_MS}`,
    )
  }
  // Through the node, any online provider may take the task: the highest online list price.
  const listed = target.agentId === undefined ? undefined : capability
  const price = await priceOf(metadata.maxPrice, capabilityId, listed, prices)
  return {
    capability: capabilityId,
    maxPriceMicros: price.micros,
    currency: price.currency,
    ...(timeout === undefined ? {} : { timeoutMs: timeout }),
  }
}

async function priceOf(
  given: unknown,
  capabilityId: string,
  capability: Capability | undefined,
  prices: PriceSource,
): Promise<{ micros: bigint; currency: string }> {
  if (typeof given === 'string') return parseMoney({ amount: given, currency: 'USD' })
  if (given !== undefined) return parseMoney(given as { amount: string; currency: string })
  if (capability) {
    return { micros: reservationFor(capability.pricing), currency: capability.pricing.currency }
  }
  // No online provider: a zero ceiling lets the task flow report NO_PROVIDER or CAPABILITY_NOT_FOUND.
  return (await prices.listPrice(capabilityId)) ?? { micros: 0n, currency: 'USD' }
}
