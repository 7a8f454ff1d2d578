import type { ScoreParts, ScoringOptions } from './score.js'

/** One term of the Bayesian average. */
export interface ScoreComponent {
  name: 'prior' | 'outcomes' | 'ratings'
  /** Units of evidence this term counts for now (after decay). */
  weight: number
  /** Its value on the 0–5 scale, or `null` when it has no weight. */
  mean: number | null
  /** Its share of the total weight: how much of the score it makes, 0–1. */
  share: number
  detail: string
}

/** Why an agent has its score: the formula, the prior, the decay and each component. */
export interface ReputationExplanation {
  text: string
  formula: string
  prior: { mean: number; strength: number }
  decay: {
    halfLifeMs: number
    /** How much the stored evidence has faded since it was last updated, 0–1. */
    sinceLastUpdate: number
    /** Age of the newest task outcome, or `null` without one. */
    newestOutcomeAgeMs: number | null
  }
  components: ScoreComponent[]
}

export const FORMULA = 'score = (C·m + 5·S + R) / (C + S + F + W)'

const round = (x: number, digits = 2): number => Number(x.toFixed(digits))
const days = (ms: number): string => `${round(ms / 86_400_000, 1)} days`
const percent = (x: number): string => `${Math.round(100 * x)}%`

/** Puts a score's parts into words and numbers. */
export function explain(
  parts: ScoreParts,
  options: ScoringOptions,
  decay: { sinceLastUpdate: number; newestOutcomeAgeMs: number | null },
): ReputationExplanation {
  const total = parts.prior.strength + parts.outcomes.weight + parts.ratings.weight
  const share = (weight: number): number => (total > 0 ? round(weight / total, 4) : 0)
  const { outcomes, ratings } = parts
  const successRate = outcomes.weight > 0 ? outcomes.successes / outcomes.weight : null
  const components: ScoreComponent[] = [
    {
      name: 'prior',
      weight: round(parts.prior.strength, 4),
      mean: parts.prior.mean,
      share: share(parts.prior.strength),
      detail: `the prior ${parts.prior.mean}, worth ${parts.prior.strength} units of evidence`,
    },
    {
      name: 'outcomes',
      weight: round(outcomes.weight, 4),
      mean: outcomes.mean === null ? null : round(outcomes.mean, 4),
      share: share(outcomes.weight),
      detail:
        successRate === null
          ? 'no task outcomes yet'
          : `${round(outcomes.weight)} units of task outcomes, ${percent(successRate)} succeeded (a success counts 5, a failure or timeout 0) → ${round(outcomes.mean ?? 0)}`,
    },
    {
      name: 'ratings',
      weight: round(ratings.weight, 4),
      mean: ratings.mean === null ? null : round(ratings.mean, 4),
      share: share(ratings.weight),
      detail:
        ratings.mean === null
          ? 'no ratings yet'
          : `${round(ratings.weight)} units of ratings weighted by what was paid, averaging ${round(ratings.mean)} stars`,
    },
  ]
  const used = components.filter((c) => c.name === 'prior' || c.weight > 0)
  const terms = used.map((c) => `${c.detail} (${percent(c.share)} of the weight)`)
  const text =
    `Score ${round(parts.score)} of 5, a Bayesian average of: ${terms.join('; ')}. ` +
    `Evidence counts half after ${days(options.halfLifeMs)}` +
    (decay.newestOutcomeAgeMs === null
      ? '.'
      : `; the newest outcome is ${days(decay.newestOutcomeAgeMs)} old.`)
  return {
    text,
    formula: FORMULA,
    prior: parts.prior,
    decay: {
      halfLifeMs: options.halfLifeMs,
      sinceLastUpdate: round(decay.sinceLastUpdate, 4),
      newestOutcomeAgeMs: decay.newestOutcomeAgeMs,
    },
    components,
  }
}
