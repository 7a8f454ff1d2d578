import { formatAmount, MeshError, parseAmount } from '@agentmesh/protocol'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { PipelineStep } from './pipeline-definition.js'

/** What one step may spend, or why it cannot start. */
export type Allotment = { maxPriceMicros: bigint } | { error: MeshError }

/** What a step needs before it runs: its own `maxPrice`, or the price of the provider ranked first. */
interface Need {
  step: PipelineStep
  /** Null: no provider at any price (the task's submission names the reason). */
  priceMicros: bigint | null
  /** A per-unit price is a floor: such steps share what the others leave. */
  perUnit: boolean
  /** A provider exists, but above what the run has left. */
  overMicros?: bigint
}

/**
 * Shares what is left of a run's budget among the steps ready to start together, so that parallel
 * steps do not starve each other: a step with `maxPrice` holds that; one without holds the price of
 * the provider ranked first for it (the one its task would go to), and per-unit steps share what
 * remains. Steps that do not fit, in definition order, fail with `BUDGET_EXCEEDED`. Never throws:
 * a step that cannot be priced gets an error.
 */
export async function allotBudget(
  directory: ProviderDirectory,
  steps: PipelineStep[],
  availableMicros: bigint,
  currency: string,
): Promise<Map<string, Allotment>> {
  const allotted = new Map<string, Allotment>()
  let needs: Need[]
  try {
    needs = await Promise.all(
      steps.map((step) => needOf(directory, step, availableMicros, currency)),
    )
  } catch (cause) {
    const error = new MeshError('INTERNAL', 'Pricing the steps failed', { cause })
    for (const step of steps) allotted.set(step.id, { error })
    return allotted
  }
  let leftMicros = availableMicros
  const perUnit: PipelineStep[] = []
  for (const need of needs) {
    const { step } = need
    const priceMicros = need.priceMicros ?? 0n
    if (need.overMicros !== undefined || priceMicros > leftMicros) {
      const price = formatAmount(need.overMicros ?? priceMicros)
      const what = step.maxPrice === undefined ? 'its best-ranked provider asks' : 'its maxPrice'
      allotted.set(step.id, {
        error: new MeshError(
          'BUDGET_EXCEEDED',
          `Step "${step.id}" needs ${price} ${currency} (${what}) but the run has ${formatAmount(leftMicros)} ${currency} left`,
          { details: { step: step.id, price, left: formatAmount(leftMicros), currency } },
        ),
      })
      continue
    }
    leftMicros -= priceMicros
    allotted.set(step.id, { maxPriceMicros: priceMicros })
    if (need.perUnit) perUnit.push(step)
  }
  // Per-unit steps cost their price times the units they report: they share what is left.
  perUnit.forEach((step, i) => {
    const count = BigInt(perUnit.length)
    const share = leftMicros / count + (BigInt(i) < leftMicros % count ? 1n : 0n)
    const own = allotted.get(step.id) as { maxPriceMicros: bigint }
    own.maxPriceMicros += share
  })
  return allotted
}

async function needOf(
  directory: ProviderDirectory,
  step: PipelineStep,
  availableMicros: bigint,
  currency: string,
): Promise<Need> {
  if (step.maxPrice !== undefined) {
    return { step, priceMicros: parseAmount(step.maxPrice), perUnit: false }
  }
  const query = {
    capabilityId: step.capability,
    currency,
    ...(step.agentId ? { agentId: step.agentId } : {}),
    limit: 1,
  }
  const [ranked] = await directory.candidates({ ...query, maxPriceMicros: availableMicros })
  if (ranked) {
    const { pricing } = ranked.capability
    return { step, priceMicros: parseAmount(pricing.amount), perUnit: pricing.model === 'per_unit' }
  }
  const [any] = await directory.candidates(query)
  if (!any) return { step, priceMicros: null, perUnit: false }
  return {
    step,
    priceMicros: null,
    perUnit: false,
    overMicros: parseAmount(any.capability.pricing.amount),
  }
}
