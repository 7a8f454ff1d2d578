import type {
  EncryptedShare,
  KeyAdvertisement,
  MaskedInput,
  RevealMessage,
  SecAggConfig,
  ShareKeysMessage,
  UnmaskRequest,
} from './messages.js'

/** Where a trainer's secrets come from: the platform's CSPRNG unless a test passes its own. */
export type RandomBytes = (length: number) => Uint8Array

/** What a trainer keeps between the steps of one round. Secret: it never leaves the trainer. */
export interface SecAggTrainerState {
  readonly config: SecAggConfig
  readonly trainer: string
  readonly encryptionSecret: Uint8Array
  readonly maskingSecret: Uint8Array
  /** Set by `shareKeys`: the self-mask seed and the neighbours' advertised keys. */
  readonly selfMaskSeed?: Uint8Array
  readonly peers?: KeyAdvertisement[]
  /** Set by `maskInput`: the shares it holds, by owner, opened from what the aggregator passed on. */
  readonly held?: { owner: string; keyShare: Uint8Array; seedShare: Uint8Array }[]
}

/** Step 1: draws the trainer's two X25519 key pairs and advertises their public keys. */
export function advertiseKeys(
  config: SecAggConfig,
  trainer: string,
  randomBytes?: RandomBytes,
): { state: SecAggTrainerState; message: KeyAdvertisement } {
  void config
  void trainer
  void randomBytes
  throw new Error('Not implemented yet')
}

/**
 * Step 2: draws the self-mask seed, splits it and the masking secret key into Shamir shares (with a
 * hash check) and seals one of each for every neighbour that advertised keys.
 */
export async function shareKeys(
  state: SecAggTrainerState,
  advertisements: readonly KeyAdvertisement[],
  randomBytes?: RandomBytes,
): Promise<{ state: SecAggTrainerState; message: ShareKeysMessage }> {
  void state
  void advertisements
  void randomBytes
  return Promise.reject(new Error('Not implemented yet'))
}

/**
 * Step 3: opens the shares the aggregator passed on, quantizes the input and adds the self mask and
 * a pairwise mask for each neighbour that shared keys.
 */
export function maskInput(
  state: SecAggTrainerState,
  received: readonly EncryptedShare[],
  input: Float32Array,
): { state: SecAggTrainerState; message: MaskedInput } {
  void state
  void received
  void input
  throw new Error('Not implemented yet')
}

/**
 * Step 4: reveals the shares the aggregator needs — of survivors' self-mask seeds and of dropped
 * trainers' masking keys — refusing a request that names one trainer in both lists.
 */
export function revealShares(state: SecAggTrainerState, request: UnmaskRequest): RevealMessage {
  void state
  void request
  throw new Error('Not implemented yet')
}
