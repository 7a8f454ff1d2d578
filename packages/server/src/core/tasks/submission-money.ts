import {
  canonicalize,
  formatAmount,
  MeshError,
  sha256,
  toHex,
  utf8,
  type Pricing,
} from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { Escrow } from '../ports/escrow.js'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import { bonusReservation } from './task-settlement.js'
import type { Candidate, SubmitRequest, Task, TaskBonus } from './task-types.js'

/** Subscriptions as the task flow checks them. */
export interface SubscriptionCheck {
  /** Throws SUBSCRIPTION_LAPSED unless the subscriber paid the current period. */
  requireActive(input: {
    subscriber: string
    provider: string
    capabilityId: string
    pricing: Pricing
  }): Promise<void>
}

/** SHA-256 of the canonical JSON of a request (money as decimal strings of micro-units). */
export function requestHashOf(request: Omit<SubmitRequest, 'idempotencyKey'>): string {
  const { maxPriceMicros, bonusMicros, ...rest } = request
  return toHex(
    sha256(
      utf8(
        canonicalize({
          ...rest,
          maxPriceMicros: maxPriceMicros.toString(),
          ...(bonusMicros === undefined ? {} : { bonusMicros: bonusMicros.toString() }),
        }),
      ),
    ),
  )
}

/**
 * The bonus a request sets aside, or `null`. A bonus rewards one provider, and is at most what
 * the call itself may cost.
 */
export function newBonus(
  request: SubmitRequest,
  reservedMicros: bigint,
  windowEndsAtMs: number,
): TaskBonus | null {
  const setAsideMicros = request.bonusMicros ?? 0n
  if (setAsideMicros === 0n) return null
  const severalPayees = request.verify !== undefined && request.verify.mode !== 'validator'
  if (severalPayees || setAsideMicros > reservedMicros) {
    throw new MeshError(
      'INVALID_INPUT',
      `Bonus "${formatAmount(setAsideMicros)}" needs one provider and at most the ${formatAmount(reservedMicros)} reserved`,
    )
  }
  return { setAsideMicros, state: 'reserved', paidMicros: 0n, windowEndsAtMs }
}

/**
 * Reserves the task's bonus until its window ends (then the ledger's expiry gives it back); when
 * that fails, the task's own reservation goes back too.
 */
export async function reserveBonus(escrow: Escrow, task: Task): Promise<void> {
  if (!task.bonus) return
  const id = bonusReservation(task.id)
  try {
    await escrow.reserve({
      reservationId: id,
      payer: task.requester,
      currency: task.currency,
      amountMicros: task.bonus.setAsideMicros,
      timeoutMs: task.bonus.windowEndsAtMs - task.createdAtMs,
      reference: id,
    })
  } catch (error) {
    await escrow.release(task.id)
    throw error
  }
}

/**
 * Leaves out the providers selling by subscription that the caller has not paid for this period;
 * when none is left, the first one's SUBSCRIPTION_LAPSED is the answer.
 */
export async function subscribedCandidates(
  check: SubscriptionCheck | undefined,
  caller: Caller,
  candidates: Candidate[],
): Promise<Candidate[]> {
  if (!check) return candidates
  const usable: Candidate[] = []
  let lapsed: unknown
  for (const candidate of candidates) {
    const { pricing } = candidate.capability
    if (pricing.model === 'subscription') {
      try {
        await check.requireActive({
          subscriber: caller.did,
          provider: candidate.agentId,
          capabilityId: candidate.capability.id,
          pricing,
        })
      } catch (error) {
        lapsed ??= error
        continue
      }
    }
    usable.push(candidate)
  }
  if (usable.length === 0) throw lapsed
  return usable
}

/**
 * The providers of a capability sold by subscription, whatever their period's price: when none
 * is within the task's price, these still are, as their calls cost nothing.
 */
export async function subscriptionsAtAnyPrice(
  directory: ProviderDirectory,
  query: Omit<Parameters<ProviderDirectory['candidates']>[0], 'maxPriceMicros'>,
): Promise<Candidate[]> {
  const found = await directory.candidates(query)
  return found.filter((c) => c.capability.pricing.model === 'subscription')
}
