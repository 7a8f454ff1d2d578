import { MeshError } from '@agentmesh/protocol'
import { checkUpdates, weightedMean, type Aggregate, type ClientUpdate } from './update.js'

/** FedAdam's server-side settings (Reddi et al. 2021, "Adaptive Federated Optimization"). */
export interface FedAdamOptions {
  /** Server learning rate η; 0.1 unless given. */
  learningRate?: number
  /** β₁; 0.9 unless given. */
  beta1?: number
  /** β₂; 0.99 unless given. */
  beta2?: number
  /** τ, the adaptivity floor; 1e-9 unless given. */
  tau?: number
}

/** FedAdam's moments, carried from round to round (encode them with `encodeParams` to store them). */
export interface FedAdamState {
  m: Float32Array
  v: Float32Array
}

/**
 * FedAdam: treats the example-weighted mean of the trainers' changes (Δ = params − global) as a
 * pseudo-gradient and takes one Adam step with it on the server. Pass the `state` it returned last
 * round (none in the first). Every update is accepted.
 */
export function fedAdam(
  global: Float32Array,
  updates: readonly ClientUpdate[],
  state: FedAdamState | undefined,
  options: FedAdamOptions = {},
): Aggregate & { state: FedAdamState } {
  checkUpdates(global, updates)
  const eta = options.learningRate ?? 0.1
  const beta1 = options.beta1 ?? 0.9
  const beta2 = options.beta2 ?? 0.99
  const tau = options.tau ?? 1e-9
  if (!(eta > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(tau > 0)) {
    throw new MeshError('INVALID_INPUT', 'FedAdam needs η > 0, β₁ and β₂ in [0, 1) and τ > 0')
  }
  if (
    state !== undefined &&
    (state.m.length !== global.length || state.v.length !== global.length)
  ) {
    throw new MeshError('INVALID_INPUT', 'FedAdam state does not fit the model')
  }
  const mean = weightedMean(updates, global.length)
  const m = new Float32Array(global.length)
  const v = new Float32Array(global.length)
  const params = new Float32Array(global.length)
  for (let k = 0; k < global.length; k++) {
    const delta = mean[k]! - global[k]!
    m[k] = beta1 * (state?.m[k] ?? 0) + (1 - beta1) * delta
    v[k] = beta2 * (state?.v[k] ?? 0) + (1 - beta2) * delta * delta
    params[k] = global[k]! + (eta * m[k]!) / (Math.sqrt(v[k]!) + tau)
  }
  return {
    params,
    accepted: updates.map((update) => update.trainer),
    discarded: [],
    state: { m, v },
  }
}
