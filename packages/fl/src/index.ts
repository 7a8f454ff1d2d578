export {
  concat,
  holdOut,
  parseDigitsCsv,
  splitDirichlet,
  splitIid,
  subset,
  type Dataset,
} from './dataset.js'
export { createModel } from './create-model.js'
export type { Evaluation, Model, ModelSpec, TrainConfig, TrainResult } from './model.js'
export {
  decodeParams,
  encodeParams,
  hashParams,
  manifestSize,
  type ParamManifest,
  type ParamTensor,
} from './params.js'
export {
  addGaussianNoise,
  clipToNorm,
  noisyMean,
  privacySpent,
  type DpConfig,
  type PrivacySpent,
} from './privacy.js'
export { createRng, shuffle, type Rng } from './random.js'
export {
  dpConfigSchema,
  keyAdvertisementSchema,
  maskedInputSchema,
  modelSpecSchema,
  revealMessageSchema,
  secAggConfigSchema,
  shareKeysMessageSchema,
  strategySpecSchema,
  trainConfigSchema,
  unmaskRequestSchema,
} from './schemas.js'
export { routeShares, unmaskRequest, unmaskSum } from './secagg/aggregator.js'
export type {
  EncryptedShare,
  KeyAdvertisement,
  MaskedInput,
  RevealedShare,
  RevealMessage,
  SecAggConfig,
  SecAggSum,
  ShareKeysMessage,
  UnmaskRequest,
} from './secagg/messages.js'
export {
  advertiseKeys,
  maskInput,
  revealShares,
  shareKeys,
  type RandomBytes,
  type SecAggTrainerState,
} from './secagg/trainer.js'
export { coordinateMedian, trimmedMean } from './strategies/coordinate-wise.js'
export { fedAdam, type FedAdamOptions, type FedAdamState } from './strategies/fedadam.js'
export { fedAvg } from './strategies/fedavg.js'
export { krum, multiKrum } from './strategies/krum.js'
export { aggregate, type StrategyResult, type StrategySpec } from './strategies/strategy.js'
export type { Aggregate, ClientUpdate } from './strategies/update.js'
