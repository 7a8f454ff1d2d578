import { MeshError } from '@agentmesh/protocol'
import { chacha20 } from '@noble/ciphers/chacha.js'

/**
 * Differential privacy settings of a job: each trainer's update (params − global) is clipped to
 * `clipNorm`, and the aggregator adds Gaussian noise of standard deviation
 * `noiseMultiplier · clipNorm` to the sum of the clipped updates before averaging. One trainer
 * changes that sum by at most `clipNorm`, so each round is the Gaussian mechanism at trainer level.
 */
export interface DpConfig {
  clipNorm: number
  noiseMultiplier: number
}

function positive(name: string, value: number): void {
  if (!(value > 0 && Number.isFinite(value))) {
    throw new MeshError('INVALID_INPUT', `DP ${name} ${value} is not a positive number`)
  }
}

/** Scales a vector down to at most `clipNorm` in L2 norm; returns it, its norm before and whether it was clipped. */
export function clipToNorm(
  vector: Float32Array,
  clipNorm: number,
): { vector: Float32Array; norm: number; clipped: boolean } {
  positive('clip norm', clipNorm)
  let squares = 0
  for (const x of vector) squares += x * x
  const norm = Math.sqrt(squares)
  if (norm <= clipNorm) return { vector: Float32Array.from(vector), norm, clipped: false }
  // Scaled a hair below the bound, so float32 rounding cannot leave it above.
  const factor = (clipNorm / norm) * (1 - 1e-6)
  return { vector: vector.map((x) => x * factor), norm, clipped: true }
}

/**
 * Standard normal draws from the ChaCha20 stream of a 32-byte key (Box–Muller over 53-bit
 * uniforms): reproducible with the key, and nobody without it can predict or subtract the noise.
 */
function gaussians(length: number, key: Uint8Array): Float64Array {
  if (key.length !== 32) throw new MeshError('INVALID_INPUT', 'A DP noise key is not 32 bytes')
  const pairs = Math.ceil(length / 2)
  const bytes = chacha20(key, new Uint8Array(12), new Uint8Array(pairs * 16))
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const uniform = (offset: number): number =>
    ((view.getUint32(offset, true) >>> 5) * 67108864 + (view.getUint32(offset + 4, true) >>> 6)) /
    9007199254740992
  const out = new Float64Array(length)
  for (let p = 0; p < pairs; p++) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform(p * 16)))
    const angle = 2 * Math.PI * uniform(p * 16 + 8)
    out[2 * p] = radius * Math.cos(angle)
    if (2 * p + 1 < length) out[2 * p + 1] = radius * Math.sin(angle)
  }
  return out
}

/**
 * Adds Gaussian noise of standard deviation `std` to each number, drawn from a ChaCha20 stream
 * keyed with `key` (32 bytes): the same key gives the same noise, and nobody without the key can
 * subtract it. Draw the key from a CSPRNG and keep it secret.
 */
export function addGaussianNoise(
  vector: Float64Array | Float32Array,
  std: number,
  key: Uint8Array,
): Float32Array {
  if (!(std >= 0 && Number.isFinite(std))) {
    throw new MeshError('INVALID_INPUT', `DP noise ${std} is not a non-negative number`)
  }
  const noise = gaussians(vector.length, key)
  return Float32Array.from(vector, (x, i) => x + std * noise[i]!)
}

/**
 * The private mean of `count` clipped updates from their sum: adds noise of standard deviation
 * `noiseMultiplier · clipNorm` to the sum, then divides by `count`.
 */
export function noisyMean(
  sum: Float64Array | Float32Array,
  count: number,
  dp: DpConfig,
  key: Uint8Array,
): Float32Array {
  positive('clip norm', dp.clipNorm)
  positive('noise multiplier', dp.noiseMultiplier)
  if (!Number.isInteger(count) || count < 1) {
    throw new MeshError('INVALID_INPUT', `A mean of ${count} updates is not possible`)
  }
  return addGaussianNoise(sum, dp.noiseMultiplier * dp.clipNorm, key).map((x) => x / count)
}

/** What a DP accountant reports. */
export interface PrivacySpent {
  epsilon: number
  delta: number
  /** The Rényi order that gave the tightest ε. */
  order: number
}

/** The Rényi orders the accountant tries. */
const ORDERS = [...Array.from({ length: 63 }, (_, i) => i + 2), 80, 96, 128, 192, 256, 512, 1024]
const LOG_FACTORIALS = Float64Array.from({ length: 1025 }, (_, n) => {
  let sum = 0
  for (let i = 2; i <= n; i++) sum += Math.log(i)
  return sum
})

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b
  const high = Math.max(a, b)
  return high + Math.log1p(Math.exp(-Math.abs(a - b)))
}

/**
 * The RDP of one sampled Gaussian mechanism at an integer order α (Mironov, Talwar, Zhang 2019,
 * "Rényi Differential Privacy of the Sampled Gaussian Mechanism", §3.3): with q = 1 it is the
 * Gaussian mechanism's α / (2z²); otherwise log Σᵢ C(α, i) (1 − q)^(α−i) qⁱ exp((i² − i)/(2z²)),
 * divided by α − 1.
 */
function sampledGaussianRdp(q: number, z: number, alpha: number): number {
  if (q === 1) return alpha / (2 * z * z)
  let logA = -Infinity
  for (let i = 0; i <= alpha; i++) {
    const logBinomial = LOG_FACTORIALS[alpha]! - LOG_FACTORIALS[i]! - LOG_FACTORIALS[alpha - i]!
    const term =
      logBinomial + i * Math.log(q) + (alpha - i) * Math.log1p(-q) + (i * i - i) / (2 * z * z)
    logA = logAdd(logA, term)
  }
  return logA / (alpha - 1)
}

/**
 * The (ε, δ) spent after `rounds` rounds of the sampled Gaussian mechanism — each trainer taking
 * part in a round with probability `samplingRate` (Poisson sampling; 1 when every trainer takes part
 * every round), noise `noiseMultiplier` times the clip norm — at trainer level (adding or removing
 * one trainer's data). RDP composes by summing over rounds; it is converted with the classic bound
 * ε = RDP(α) + log(1/δ)/(α − 1) (Mironov 2017, Prop. 3), minimized over integer orders 2..1024.
 * The amplification by sampling holds only if trainers really are sampled at random.
 */
export function privacySpent(options: {
  noiseMultiplier: number
  samplingRate: number
  rounds: number
  delta: number
}): PrivacySpent {
  const { noiseMultiplier, samplingRate, rounds, delta } = options
  positive('noise multiplier', noiseMultiplier)
  if (!(samplingRate > 0 && samplingRate <= 1)) {
    throw new MeshError('INVALID_INPUT', `DP sampling rate ${samplingRate} is not in (0, 1]`)
  }
  if (!Number.isSafeInteger(rounds) || rounds < 0) {
    throw new MeshError('INVALID_INPUT', `DP rounds ${rounds} is not a whole number`)
  }
  if (!(delta > 0 && delta < 1))
    throw new MeshError('INVALID_INPUT', `DP δ ${delta} is not in (0, 1)`)
  if (rounds === 0) return { epsilon: 0, delta, order: ORDERS[0]! }
  let best: PrivacySpent = { epsilon: Infinity, delta, order: ORDERS[0]! }
  for (const order of ORDERS) {
    const rdp = rounds * sampledGaussianRdp(samplingRate, noiseMultiplier, order)
    const epsilon = rdp + Math.log(1 / delta) / (order - 1)
    if (epsilon < best.epsilon) best = { epsilon, delta, order }
  }
  return best
}
