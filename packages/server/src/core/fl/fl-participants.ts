import { MeshError } from '@agentmesh/protocol'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { FlSettings } from './fl-types.js'

/** Most providers looked at in discovery for a job's trainers or validators. */
const LOOKUP = 200

/** Whether a principal may validate a capability now (its role, or a permission). */
export interface ValidatorPolicy {
  mayValidate(did: string, capability: string): Promise<boolean>
}

/**
 * The best-ranked online trainers that serve the job's capability for free (the job's escrow pays
 * them), neither its owner nor one of its validators, at most `settings.trainers` of them.
 */
export async function pickTrainers(
  directory: ProviderDirectory,
  settings: FlSettings,
  excluded: readonly string[],
): Promise<string[]> {
  const candidates = await directory.candidates({
    capabilityId: settings.trainerCapability,
    maxPriceMicros: 0n,
    currency: settings.currency,
    limit: LOOKUP,
  })
  const skip = new Set(excluded)
  const picked = [...new Set(candidates.map((c) => c.agentId))].filter((id) => !skip.has(id))
  return picked.slice(0, settings.trainers)
}

/**
 * A job's validator set: the best-ranked online providers of the capability that may validate it
 * now, not the owner. Throws NO_VALIDATOR when fewer than `count` are.
 */
export async function chooseValidators(
  deps: { directory: ProviderDirectory; policy: ValidatorPolicy },
  owner: string,
  capability: string,
  count: number,
): Promise<string[]> {
  const online = await deps.directory.candidates({ capabilityId: capability, limit: LOOKUP })
  const chosen: string[] = []
  for (const candidate of online) {
    if (chosen.length === count) break
    if (candidate.agentId === owner || chosen.includes(candidate.agentId)) continue
    if (await deps.policy.mayValidate(candidate.agentId, capability)) chosen.push(candidate.agentId)
  }
  if (chosen.length < count) {
    throw new MeshError(
      'NO_VALIDATOR',
      `${chosen.length} eligible validators of "${capability}" are online; the job needs ${count}`,
      { details: { capability } },
    )
  }
  return chosen
}
