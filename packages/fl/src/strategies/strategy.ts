import { MeshError } from '@agentmesh/protocol'
import { coordinateMedian, trimmedMean } from './coordinate-wise.js'
import { fedAdam, type FedAdamOptions, type FedAdamState } from './fedadam.js'
import { fedAvg } from './fedavg.js'
import { krum, multiKrum } from './krum.js'
import type { Aggregate, ClientUpdate } from './update.js'

/**
 * A strategy as a job names it (plain JSON). `byzantine` is f, how many trainers may be malicious:
 * trimmed mean drops f values at each end, Krum scores against n − f − 2 neighbours, and median uses
 * it only to report who is discarded. FedProx aggregates as FedAvg; trainers add `mu` as
 * `TrainConfig.proximalMu`.
 */
export type StrategySpec =
  | { name: 'fedavg' }
  | { name: 'fedprox'; mu: number }
  | ({ name: 'fedadam' } & FedAdamOptions)
  | { name: 'median'; byzantine?: number }
  | { name: 'trimmed-mean'; byzantine: number }
  | { name: 'krum'; byzantine: number }
  | { name: 'multi-krum'; byzantine: number; keep?: number }

/** A strategy's outcome with the state to pass next round (FedAdam's moments; none for the others). */
export type StrategyResult = Aggregate & { state?: FedAdamState }

/** Aggregates one round's updates with the strategy a spec names. */
export function aggregate(
  spec: StrategySpec,
  global: Float32Array,
  updates: readonly ClientUpdate[],
  state?: FedAdamState,
): StrategyResult {
  switch (spec.name) {
    case 'fedavg':
      return fedAvg(global, updates)
    case 'fedprox':
      if (!(spec.mu >= 0 && Number.isFinite(spec.mu))) {
        throw new MeshError('INVALID_INPUT', `FedProx μ ${spec.mu} is not a non-negative number`)
      }
      return fedAvg(global, updates)
    case 'fedadam': {
      const { name: _name, ...options } = spec
      return fedAdam(global, updates, state, options)
    }
    case 'median':
      return coordinateMedian(global, updates, spec.byzantine)
    case 'trimmed-mean':
      return trimmedMean(global, updates, spec.byzantine)
    case 'krum':
      return krum(global, updates, spec.byzantine)
    case 'multi-krum':
      return multiKrum(global, updates, spec.byzantine, spec.keep)
    default:
      throw new MeshError(
        'INVALID_INPUT',
        `Unknown strategy "${String((spec as { name: unknown }).name)}"`,
      )
  }
}
