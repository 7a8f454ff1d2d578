import { MeshError } from '@agentmesh/protocol'

/** One trainer's answer in a round: its locally trained parameters and how many examples it used. */
export interface ClientUpdate {
  trainer: string
  params: Float32Array
  /** A positive integer; FedAvg weighs each update by it. */
  examples: number
}

/** A strategy's outcome: the new global parameters and which trainers' updates went into them. */
export interface Aggregate {
  params: Float32Array
  /** Trainers whose updates the strategy used, in the order given. */
  accepted: string[]
  /** Trainers whose updates the strategy rejected as outliers, in the order given. */
  discarded: string[]
}

/** Refuses (`INVALID_INPUT`) an empty round, a length other than the global's, a repeated trainer or bad weights. */
export function checkUpdates(global: Float32Array, updates: readonly ClientUpdate[]): void {
  if (updates.length === 0) throw new MeshError('INVALID_INPUT', 'No updates to aggregate')
  const trainers = new Set<string>()
  for (const update of updates) {
    if (update.params.length !== global.length) {
      throw new MeshError(
        'INVALID_INPUT',
        `Update of "${update.trainer}" has ${update.params.length} parameters, not ${global.length}`,
      )
    }
    if (!Number.isSafeInteger(update.examples) || update.examples < 1) {
      throw new MeshError(
        'INVALID_INPUT',
        `Update of "${update.trainer}" claims ${update.examples} examples`,
      )
    }
    if (trainers.has(update.trainer)) {
      throw new MeshError('INVALID_INPUT', `Trainer "${update.trainer}" sent two updates`)
    }
    trainers.add(update.trainer)
  }
}

/** The example-weighted mean of some updates' parameters. */
export function weightedMean(updates: readonly ClientUpdate[], length: number): Float32Array {
  const sum = new Float64Array(length)
  let total = 0
  for (const update of updates) {
    total += update.examples
    for (let k = 0; k < length; k++) sum[k] = sum[k]! + update.examples * update.params[k]!
  }
  const mean = new Float32Array(length)
  for (let k = 0; k < length; k++) mean[k] = sum[k]! / total
  return mean
}
