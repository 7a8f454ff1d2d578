import type {
  FlContributionState,
  FlJobSpec,
  FlJobState,
  FlPrivacyView,
  FlRoundState,
  FlValidatorReport,
  QuorumCertificate,
  Role,
  WireError,
} from '@agentmesh/protocol'
import type { ModelSpec, StrategySpec, TrainConfig } from '@agentmesh/fl'

/** A job's settings, checked and with every default filled in. */
export interface FlSettings {
  name: string | null
  model: ModelSpec
  /** Length of the model's parameter vector. */
  size: number
  rounds: number
  train: TrainConfig
  trainerCapability: string
  /** Trainers asked each round, and the fewest a round runs with. */
  trainers: number
  minTrainers: number
  strategy: StrategySpec
  /** Secure aggregation's per-value clip and its optional graph settings; null when off. */
  secureAggregation: { clip: number; threshold?: number; neighbours?: number } | null
  dp: { clipNorm: number; noiseMultiplier: number; delta: number } | null
  validatorCapability: string
  validatorCount: number
  f: number
  acceptance: { minAccuracy: number; maxAccuracyDrop: number }
  currency: string
  budgetMicros: bigint
  priceMicros: bigint
  roundTimeoutMs: number
}

/** A job as stored. */
export interface FlJob {
  id: string
  owner: string
  /** The owner's roles at the start: its tasks are submitted as this caller. */
  ownerRoles: Role[]
  /** The spec as the owner sent it, for the view. */
  spec: FlJobSpec
  settings: FlSettings
  state: FlJobState
  validators: string[]
  f: number
  currentModel: { hash: string; round: number }
  escrowedMicros: bigint
  paidMicros: bigint
  /** Trainers that took part in any round: they may read the job too. */
  participants: string[]
  /** Rounds whose noisy model was released to the validators (differential privacy's count). */
  noisyRounds: number
  /** The node running the job (its DID): only it ends the job after a restart. */
  runner: string
  createdAtMs: number
  updatedAtMs: number
  error: WireError | null
}

/** One trainer's part in a round. */
export interface FlContribution {
  trainer: string
  state: FlContributionState
  taskId: string | null
  examples: number | null
  loss: number | null
  paidMicros: bigint
  error: WireError | null
}

/** A round as stored. */
export interface FlRound {
  job: string
  round: number
  state: FlRoundState
  startedAtMs: number
  endedAtMs: number | null
  contributions: FlContribution[]
  trainLoss: number | null
  accuracy: number | null
  loss: number | null
  reports: FlValidatorReport[]
  modelHash: string | null
  certificate: (QuorumCertificate & { id: string }) | null
  refusedSignatures: { validator: string; reason: string }[]
  privacy: FlPrivacyView | null
  error: WireError | null
}

/** A model stored by the hash of its parameters. */
export interface FlStoredModel {
  hash: string
  /** Base64 of the little-endian float32 parameters. */
  params: string
  size: number
}
