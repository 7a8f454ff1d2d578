/**
 * Reputation scoring: a Bayesian average on the 0–5 scale whose evidence fades with age.
 *
 *     score = (C·m + 5·S + R) / (C + S + F + W)
 *
 * - `m` is the prior mean and `C` its strength, in pseudo-observations: an agent with no evidence
 *   scores `m`, and it takes about `C` units of evidence to move halfway from `m` to the evidence.
 * - `S` and `F` are the decayed counts of successes and failures, each multiplied by
 *   `outcomeWeight`; a success counts as a 5, a failure (failed, timed out, disputed) as a 0.
 *   Canceled tasks are no evidence either way.
 * - `W` is the decayed total weight of the ratings and `R` the decayed weighted sum of their stars
 *   (1–5); a rating's weight grows with the logarithm of what was paid (`ratingWeight`).
 * - Every piece of evidence of age `a` counts `2^(−a / halfLifeMs)` of its weight; the prior never
 *   decays, so an agent that stops working drifts back to `m`.
 *
 * Each term of the numerator is at most 5 times its term of the denominator and at least 0, so
 * the score always lies in [0, 5].
 */
export interface ScoringOptions {
  /** `m`: the score of an agent without evidence, 0–5. */
  priorMean: number
  /** `C`: how many units of evidence the prior is worth. */
  priorStrength: number
  /** How long until a piece of evidence counts half. */
  halfLifeMs: number
  /** How many units of evidence one task outcome is worth (a rating of an unpaid task is 1). */
  outcomeWeight: number
  /** The payment that doubles a rating's weight (see `ratingWeight`), in micro-units. */
  ratingWeightUnitMicros: bigint
  /** The largest weight one rating can have. */
  maxRatingWeight: number
}

/**
 * The defaults: a new agent starts at 3.5, worth five outcomes or five unpaid ratings; evidence
 * halves every 30 days; a rating weighs 1 + log2(1 + paid / 0.01), at most 5 (a one-cent task
 * rates with weight 2, a 15-cent one with 5).
 */
export const defaultScoring: ScoringOptions = {
  priorMean: 3.5,
  priorStrength: 5,
  halfLifeMs: 30 * 24 * 3_600_000,
  outcomeWeight: 1,
  ratingWeightUnitMicros: 10_000n,
  maxRatingWeight: 5,
}

/** Evidence as of one instant: decayed sums, in units of evidence. */
export interface Evidence {
  successes: number
  failures: number
  ratingWeight: number
  /** Σ weight × stars. */
  ratingStars: number
}

/** The parts of a score, for the explanation. */
export interface ScoreParts {
  score: number
  prior: { mean: number; strength: number }
  outcomes: { weight: number; successes: number; failures: number; mean: number | null }
  ratings: { weight: number; mean: number | null }
  /** Share of the score that comes from evidence rather than the prior, 0–1. */
  evidenceShare: number
}

/** How much a piece of evidence `ageMs` old still counts: 1 when new, ½ after one half-life. */
export function decayFactor(ageMs: number, halfLifeMs: number): number {
  if (!(halfLifeMs > 0) || halfLifeMs === Number.POSITIVE_INFINITY) return 1
  return 2 ** (-Math.max(0, ageMs) / halfLifeMs)
}

/**
 * The weight of one rating: `1 + log2(1 + paid / unit)`, capped at `maxRatingWeight`. Log-scaled
 * so that paying more earns a louder voice without letting one large payment drown everything
 * else; an unpaid task still rates with weight 1. Amounts are compared in micro-units whatever the
 * currency.
 */
export function ratingWeight(paidMicros: bigint, options: ScoringOptions): number {
  const paid = paidMicros > 0n ? Number(paidMicros) : 0
  const unit = Number(options.ratingWeightUnitMicros > 0n ? options.ratingWeightUnitMicros : 1n)
  return Math.min(options.maxRatingWeight, 1 + Math.log2(1 + paid / unit))
}

/** The Bayesian average of the prior and the evidence (see the module comment). */
export function scoreOf(evidence: Evidence, options: ScoringOptions): ScoreParts {
  const m = clamp(options.priorMean, 0, 5)
  const c = Math.max(0, options.priorStrength)
  const s = Math.max(0, evidence.successes)
  const f = Math.max(0, evidence.failures)
  const w = Math.max(0, evidence.ratingWeight)
  const r = clamp(evidence.ratingStars, 0, 5 * w)
  const outcomeWeight = s + f
  const denominator = c + outcomeWeight + w
  const score = denominator > 0 ? (c * m + 5 * s + r) / denominator : m
  return {
    score: clamp(score, 0, 5),
    prior: { mean: m, strength: c },
    outcomes: {
      weight: outcomeWeight,
      successes: s,
      failures: f,
      mean: outcomeWeight > 0 ? (5 * s) / outcomeWeight : null,
    },
    ratings: { weight: w, mean: w > 0 ? r / w : null },
    evidenceShare: denominator > 0 ? (outcomeWeight + w) / denominator : 0,
  }
}

function clamp(x: number, low: number, high: number): number {
  return Number.isNaN(x) ? low : Math.min(high, Math.max(low, x))
}
