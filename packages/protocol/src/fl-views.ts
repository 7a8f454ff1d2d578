/**
 * Federated-learning jobs as the API takes and answers them (`/v1/fl/jobs`): the one declaration
 * the server builds them to and the SDK, the CLI and the dashboard read them as. The model, the
 * local training and the strategy have the shapes `@agentmesh/fl` defines.
 */
import type { WireError } from './errors.js'
import type { Money } from './money.js'
import type { QuorumCertificate } from './quorum-certificate.js'

/** A model to train (`@agentmesh/fl`'s `ModelSpec`). */
export interface FlModelSpec {
  kind: 'logreg' | 'mlp'
  inputs: number
  classes: number
  hidden?: number[]
  seed: number
}

/** Trainers' local training each round (`@agentmesh/fl`'s `TrainConfig`; the node varies `seed`). */
export interface FlTrainConfig {
  epochs: number
  batchSize: number
  learningRate: number
  momentum?: number
  seed: number
  proximalMu?: number
  weightDecay?: number
}

/** How updates are combined (`@agentmesh/fl`'s `StrategySpec`). */
export type FlStrategySpec =
  | { name: 'fedavg' }
  | { name: 'fedprox'; mu: number }
  | { name: 'fedadam'; learningRate?: number; beta1?: number; beta2?: number; tau?: number }
  | { name: 'median'; byzantine?: number }
  | { name: 'trimmed-mean'; byzantine: number }
  | { name: 'krum'; byzantine: number }
  | { name: 'multi-krum'; byzantine: number; keep?: number }

/** Secure aggregation's settings; each has a default the node picks from the number of trainers. */
export interface FlSecureAggregationSpec {
  /** Shares that rebuild a secret: more than half of each trainer's neighbours plus itself. */
  threshold?: number
  /** Peers each trainer masks with (an even number), all others unless given. */
  neighbours?: number
  /** Each value of an update is clipped to ±clip before it is quantized. */
  clip?: number
}

/** What `POST /v1/fl/jobs` takes. */
export interface FlJobSpec {
  name?: string
  model: FlModelSpec
  rounds: number
  train: FlTrainConfig
  /** Who trains: online providers of `capability` (default `fl.train`), `count` of them a round. */
  trainers: { capability?: string; count: number; min?: number }
  strategy: FlStrategySpec
  /** `true` (or settings) sums masked updates: the node never sees one update on its own. */
  secureAggregation?: boolean | FlSecureAggregationSpec
  /** Trainer-level differential privacy: updates clipped to `clipNorm`, Gaussian noise on the sum. */
  dp?: { clipNorm: number; noiseMultiplier: number; delta?: number }
  /** Who approves a round: `count` principals with the validator role serving `capability`. */
  validators: { capability?: string; count: number; f?: number }
  /** What validators accept: at least `minAccuracy`, at most `maxAccuracyDrop` below the current model. */
  acceptance?: { minAccuracy?: number; maxAccuracyDrop?: number }
  /** The most the job may spend; `rounds × count × pricePerUpdate` of it is escrowed. */
  budget: Money
  /** What each accepted update earns its trainer (default the budget over rounds × count). */
  pricePerUpdate?: Money
  /** Deadline of each step's tasks (default 60 s). */
  roundTimeoutMs?: number
}

export type FlJobState = 'running' | 'completed' | 'failed' | 'canceled'

export type FlRoundState = 'training' | 'validating' | 'approved' | 'rejected' | 'failed'

/**
 * What became of one trainer's update: `accepted` by the strategy (paid when the round is
 * approved), `discarded` as an outlier, `dropped` (no answer in time), `invalid` (malformed).
 */
export type FlContributionState = 'pending' | 'accepted' | 'discarded' | 'dropped' | 'invalid'

export interface FlContributionView {
  trainer: string
  state: FlContributionState
  /** The training task (the last step's, with secure aggregation). */
  taskId: string | null
  examples: number | null
  loss: number | null
  paid: Money
  error: WireError | null
}

/** One validator's evaluation of a proposed model on its held-out data. */
export interface FlValidatorReport {
  validator: string
  accuracy: number
  loss: number
  examples: number
  /** The current model's accuracy on the same data. */
  previousAccuracy: number
  accept: boolean
}

/** What a round's validators sign (inside a quorum certificate's `decision`). */
export interface FlRoundDecision {
  kind: 'fl-round'
  job: string
  round: number
  /** SHA-256 of the proposed parameters (little-endian float32), hex. */
  modelHash: string
  previousHash: string
  /** Medians over the accepting validators' reports, and every report. */
  metrics: { accuracy: number; loss: number; examples: number; reports: FlValidatorReport[] }
}

export interface FlPrivacyView {
  epsilon: number
  delta: number
}

export interface FlRoundView {
  round: number
  state: FlRoundState
  startedAt: string
  endedAt: string | null
  contributions: FlContributionView[]
  /** Mean training loss the trainers reported (plain aggregation only). */
  trainLoss: number | null
  /** The approved (or rejected) model's accuracy and loss: the validators' medians. */
  accuracy: number | null
  loss: number | null
  reports: FlValidatorReport[]
  /** The proposed model's hash. */
  modelHash: string | null
  /** The quorum certificate that approved the round (check it with `verify-certificate`). */
  certificate: (QuorumCertificate & { id: string }) | null
  /** Signatures the node refused (forged, by a non-member, twice), with why. */
  refusedSignatures: { validator: string; reason: string }[]
  privacy: FlPrivacyView | null
  error: WireError | null
}

export interface FlJobView {
  id: string
  owner: string
  name: string | null
  state: FlJobState
  createdAt: string
  updatedAt: string
  spec: FlJobSpec
  /** The validator set the rounds are certified by, fixed at the start, tolerating `f` faults. */
  validators: string[]
  f: number
  /** The model in force: the last approved round's (round 0: the initial one). */
  currentModel: { hash: string; round: number }
  pricePerUpdate: Money
  /** Held from the owner at the start; each round's part is paid out or given back. */
  escrowed: Money
  /** Paid to trainers (before the platform fee). */
  paid: Money
  rounds: FlRoundView[]
  error: WireError | null
}

/** The model in force, with its parameters (base64 of little-endian float32). */
export interface FlModelView {
  job: string
  round: number
  hash: string
  model: FlModelSpec
  params: string
}

/** A job's events (`GET /v1/fl/jobs/:id/events`), after a `snapshot` of the job. */
export type FlJobEvent =
  | {
      type: 'round'
      round: number
      state: FlRoundState
      accuracy: number | null
      /** Trainers whose update was accepted, of those asked. */
      accepted: number
      trainers: number
      error: WireError | null
    }
  | { type: 'job'; state: FlJobState }
