import { MeshError } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { CallRequest } from '../auth/permission-service.js'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { Candidate, VerifyPolicy } from './task-types.js'

/** Who may submit what, and who may validate (the node's `PermissionService`). */
export interface TaskPolicy {
  /** Throws 403 unless the caller may submit this call. */
  checkCall(caller: Caller, call: CallRequest): Promise<void>
  /** Whether `did` may answer validator checks of `capability` now. */
  mayValidate(did: string, capability: string): Promise<boolean>
}

/** What admission and the choice of a validator need. */
export interface AdmissionDeps {
  directory: ProviderDirectory
  /** Without one, calls are unchecked and no validator is eligible. */
  policy?: TaskPolicy
}

/** How many online validators of a capability are looked at. */
const VALIDATOR_LOOKUP = 20

/**
 * Admits a submission or throws: the caller's permissions must cover the call, and a validator
 * policy needs an eligible validator that is not the task's only possible provider.
 */
export async function admitTask(
  deps: AdmissionDeps,
  caller: Caller,
  call: CallRequest & { verify?: VerifyPolicy },
  candidates: Candidate[],
): Promise<void> {
  await deps.policy?.checkCall(caller, call)
  if (call.verify?.mode !== 'validator') return
  const capability = call.verify.capability
  const online = await deps.directory.candidates({
    capabilityId: capability,
    limit: VALIDATOR_LOOKUP,
  })
  const reasons: string[] = []
  for (const validator of online) {
    if (!(await mayValidate(deps, validator.agentId, capability))) {
      reasons.push(`"${validator.agentId}" is not a validator of "${capability}"`)
    } else if (candidates.every((c) => c.agentId === validator.agentId)) {
      reasons.push(`"${validator.agentId}" is the task's only provider and may not validate itself`)
    } else {
      return
    }
  }
  const why = reasons.length > 0 ? `: ${reasons.slice(0, 3).join('; ')}` : ''
  throw new MeshError('NO_VALIDATOR', `No eligible validator "${capability}" is online${why}`, {
    details: { capability },
  })
}

/**
 * The validator to ask about a provider's output: the best ranked online one that may validate
 * now (its role or permission is checked at this moment) and is not the provider itself.
 */
export async function chooseValidator(
  deps: AdmissionDeps,
  capability: string,
  providerId: string,
): Promise<Candidate> {
  const online = await deps.directory.candidates({
    capabilityId: capability,
    excludeAgentIds: [providerId],
    limit: VALIDATOR_LOOKUP,
  })
  for (const validator of online) {
    if (await mayValidate(deps, validator.agentId, capability)) return validator
  }
  throw new MeshError('NO_VALIDATOR', `No eligible validator "${capability}" is online`, {
    details: { capability },
  })
}

function mayValidate(deps: AdmissionDeps, did: string, capability: string): Promise<boolean> {
  return deps.policy ? deps.policy.mayValidate(did, capability) : Promise.resolve(false)
}
