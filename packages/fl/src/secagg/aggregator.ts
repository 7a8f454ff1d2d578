import type {
  EncryptedShare,
  KeyAdvertisement,
  MaskedInput,
  RevealMessage,
  SecAggConfig,
  SecAggSum,
  ShareKeysMessage,
  UnmaskRequest,
} from './messages.js'

/** The aggregator after step 2: the shares each trainer is to receive. */
export function routeShares(
  config: SecAggConfig,
  messages: readonly ShareKeysMessage[],
): Map<string, EncryptedShare[]> {
  void config
  void messages
  throw new Error('Not implemented yet')
}

/** The aggregator after step 3: who survived (sent a masked input) and who dropped after sharing keys. */
export function unmaskRequest(
  config: SecAggConfig,
  shareMessages: readonly ShareKeysMessage[],
  maskedInputs: readonly MaskedInput[],
): UnmaskRequest {
  void config
  void shareMessages
  void maskedInputs
  throw new Error('Not implemented yet')
}

/**
 * The aggregator's last step: rebuilds survivors' self-mask seeds and dropped trainers' masking keys
 * from the revealed shares, removes every mask and returns the exact sum of the survivors' quantized
 * inputs, de-quantized. Fails (`FL_SECAGG_BELOW_THRESHOLD`) when too few shares came back.
 */
export async function unmaskSum(
  config: SecAggConfig,
  advertisements: readonly KeyAdvertisement[],
  shareMessages: readonly ShareKeysMessage[],
  maskedInputs: readonly MaskedInput[],
  reveals: readonly RevealMessage[],
  length: number,
): Promise<SecAggSum> {
  void config
  void advertisements
  void shareMessages
  void maskedInputs
  void reveals
  void length
  return Promise.reject(new Error('Not implemented yet'))
}
