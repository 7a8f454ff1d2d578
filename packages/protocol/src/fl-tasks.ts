/**
 * The tasks a federated-learning job sends (node → trainers and validators, as ordinary tasks of
 * the job's owner): one capability for trainers and one for validators, each input naming its
 * step with `op`. Secure-aggregation messages are `@agentmesh/fl`'s, checked by its schemas.
 */
import type { FlModelSpec, FlRoundDecision, FlTrainConfig } from './fl-views.js'

/** The capability trainers serve. */
export const FL_TRAIN = 'fl.train'
/** The capability validators serve. */
export const FL_VALIDATE = 'fl.validate'

/** Where a step belongs: the job and the round. */
interface FlStep {
  job: string
  round: number
}

/** What a trainer trains: the global model's parameters (base64 float32) and the settings. */
interface FlTraining {
  model: FlModelSpec
  params: string
  train: FlTrainConfig
  /** With differential privacy: the update (params − global) is clipped to this L2 norm. */
  clipNorm?: number
}

/** A trainer's steps: plain training, or the four steps of secure aggregation. */
export type FlTrainInput =
  | (FlStep & FlTraining & { op: 'train' })
  | (FlStep & { op: 'secagg-advertise'; config: Record<string, unknown> })
  | (FlStep & { op: 'secagg-share'; advertisements: Record<string, unknown>[] })
  | (FlStep & FlTraining & { op: 'secagg-mask'; shares: Record<string, unknown>[] })
  | (FlStep & { op: 'secagg-reveal'; request: { survivors: string[]; dropped: string[] } })

/** A trainer's answer to `train`: its parameters after local training. */
export interface FlTrainOutput {
  params: string
  examples: number
  loss: number
}

/** What validators hold a proposed model to. */
export interface FlAcceptance {
  minAccuracy: number
  maxAccuracyDrop: number
}

/** A validator's steps: evaluate a proposed model, then sign the round's decision. */
export type FlValidateInput =
  | (FlStep & {
      op: 'evaluate'
      model: FlModelSpec
      /** The proposed parameters, and the current model's. */
      params: string
      previous: string
      acceptance: FlAcceptance
    })
  | (FlStep & { op: 'sign'; decision: FlRoundDecision; validators: string[]; f: number })

/** A validator's answer to `evaluate`. */
export interface FlEvaluation {
  modelHash: string
  accuracy: number
  loss: number
  examples: number
  previousAccuracy: number
  accept: boolean
}

/** A validator's answer to `sign`: its signature over the certificate statement, or a refusal. */
export type FlSignature = { signature: string } | { refused: string }
