import type { Dataset } from './dataset.js'
import type { ParamManifest } from './params.js'

/** The models this package builds: multinomial logistic regression and a small MLP, both softmax. */
export interface ModelSpec {
  kind: 'logreg' | 'mlp'
  inputs: number
  classes: number
  /** Hidden layer widths of an MLP (ReLU); `[32]` unless given. Not allowed for `logreg`. */
  hidden?: number[]
  /** Seeds the initial parameters. */
  seed: number
}

/** Local training settings: minibatch SGD with momentum, seeded. */
export interface TrainConfig {
  epochs: number
  batchSize: number
  learningRate: number
  /** Momentum of SGD, in [0, 1); 0 unless given. */
  momentum?: number
  /** Seeds the order of examples. */
  seed: number
  /**
   * FedProx's μ: adds μ/2·‖w − w₀‖² to the loss, w₀ being the parameters training started from (the
   * global model), which keeps a trainer with skewed data close to it. 0 unless given.
   */
  proximalMu?: number
  /** L2 weight decay; 0 unless given. */
  weightDecay?: number
}

/** What local training gives back. */
export interface TrainResult {
  params: Float32Array
  /** How many examples the trainer trained on (FedAvg weighs by it). */
  examples: number
  /** The mean training loss over the last epoch. */
  loss: number
}

/** A model's quality on a data set. */
export interface Evaluation {
  /** Share of examples classified right, in [0, 1]. */
  accuracy: number
  /** Mean cross-entropy. */
  loss: number
  examples: number
}

/**
 * A model over a flat `Float32Array` of parameters. Strategies and secure aggregation see only the
 * vector, so any model that implements this interface plugs in.
 */
export interface Model {
  readonly spec: ModelSpec
  readonly manifest: ParamManifest
  /** Length of the parameter vector. */
  readonly size: number
  /** The initial parameters, drawn from `spec.seed`. */
  init(): Float32Array
  /** Trains from `params` (left unchanged) on `data`; deterministic for a given config. */
  train(params: Float32Array, data: Dataset, config: TrainConfig): TrainResult
  evaluate(params: Float32Array, data: Dataset): Evaluation
  /** The most likely class of each example. */
  predict(params: Float32Array, data: Dataset): Int32Array
}
