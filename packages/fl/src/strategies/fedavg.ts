import { checkUpdates, weightedMean, type Aggregate, type ClientUpdate } from './update.js'

/**
 * FedAvg (McMahan et al. 2017): the mean of the trainers' parameters weighted by their examples.
 * Every update is accepted. FedProx aggregates the same way; its proximal term acts at the trainer
 * (`TrainConfig.proximalMu`).
 */
export function fedAvg(global: Float32Array, updates: readonly ClientUpdate[]): Aggregate {
  checkUpdates(global, updates)
  return {
    params: weightedMean(updates, global.length),
    accepted: updates.map((update) => update.trainer),
    discarded: [],
  }
}
