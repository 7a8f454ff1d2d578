/**
 * A secure-aggregation round (SecAgg+, Bell et al. 2020, after Bonawitz et al. 2017), fixed before
 * it starts and known to all its trainers and the aggregator.
 */
export interface SecAggConfig {
  /** Names the round (e.g. `jobId/round`); keys, masks and ciphertexts are bound to it. */
  context: string
  /** The trainers asked to take part, each named once. */
  trainers: string[]
  /**
   * How many shares rebuild a trainer's secret: the sum is recovered while, for each trainer, at
   * least this many of its neighbours answer the last step. More than half of `neighbours`.
   */
  threshold: number
  /**
   * How many peers each trainer masks with and gives shares to (SecAgg+'s graph); all the others
   * (Bonawitz et al.'s complete graph) unless given. At most 254.
   */
  neighbours?: number
  /** Fixed-point scale: a value x travels as round(x · scale) in the ring of integers mod 2³². */
  scale: number
  /** Each value is clipped to [−clip, clip] first; trainers × clip × scale must stay below 2³¹. */
  clip: number
}

/** Step 1, trainer → aggregator: two X25519 public keys (base64), for share encryption and masks. */
export interface KeyAdvertisement {
  trainer: string
  encryptionKey: string
  maskingKey: string
}

/** A share sealed by one trainer for one peer (ChaCha20-Poly1305, base64); only the peer opens it. */
export interface EncryptedShare {
  from: string
  to: string
  ciphertext: string
}

/** Step 2, trainer → aggregator: its shares for each neighbour, for the aggregator to pass on. */
export interface ShareKeysMessage {
  trainer: string
  shares: EncryptedShare[]
}

/** Step 3, trainer → aggregator: its quantized input plus masks, base64 of little-endian uint32s. */
export interface MaskedInput {
  trainer: string
  vector: string
}

/**
 * Step 4, aggregator → survivors: who sent a masked input (their self masks are to be removed)
 * and who shared keys but dropped before (their pairwise masks are to be removed).
 */
export interface UnmaskRequest {
  survivors: string[]
  dropped: string[]
}

/** One Shamir share of `owner`'s secret, base64. */
export interface RevealedShare {
  owner: string
  share: string
}

/**
 * Step 4, survivor → aggregator: shares of survivors' self-mask seeds and of dropped trainers'
 * masking keys — never both for one trainer.
 */
export interface RevealMessage {
  trainer: string
  selfMaskShares: RevealedShare[]
  keyShares: RevealedShare[]
}

/** The aggregator's result: the exact sum of the survivors' quantized inputs, de-quantized. */
export interface SecAggSum {
  sum: Float64Array
  survivors: string[]
  dropped: string[]
}
