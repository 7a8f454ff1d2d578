import { formatAmount } from '@agentmesh/protocol'
import type { CapabilityMatch } from '../registry/registry-store.js'
import type { ReputationSummary } from '../ports/reputation-source.js'

/** How much each part counts in a search score; normalized to sum to 1. */
export interface RankingWeights {
  /** Full-text relevance against the best match. */
  relevance: number
  /** Price against `maxPrice` (or against the cheapest match). */
  price: number
  /** Measured (else declared) p95 latency against `maxLatencyMs` (or the SLA timeout). */
  latency: number
  /** Reputation score out of 5. */
  reputation: number
  /** Online now. */
  liveness: number
  /** Free task slots out of the agent's concurrency. */
  load: number
}

/** The default weights: relevance first, then reputation, then price, latency and liveness. */
export const DEFAULT_RANKING_WEIGHTS: RankingWeights = {
  relevance: 0.3,
  price: 0.15,
  latency: 0.15,
  reputation: 0.2,
  liveness: 0.15,
  load: 0.05,
}

/**
 * How relevance is made of text and meaning when discovery ranks by meaning too; normalized to
 * sum to 1. `vector: 0` ranks by words alone (and embeds nothing), `text: 0` by meaning alone.
 */
export interface RelevanceWeights {
  /** The full-text rank against the best text match. */
  text: number
  /** The cosine similarity of query and capability embeddings against the closest. */
  vector: number
}

/**
 * The default mix: meaning decides, words break its ties. Text rank is relative to the best text
 * match, so a query that shares only a common word with every card still gives one of them the
 * full text part: weighed more, it misleads (see the discovery-quality test and the README).
 */
export const DEFAULT_RELEVANCE_WEIGHTS: RelevanceWeights = { text: 0.1, vector: 0.9 }

/** Reputation assumed for an agent with no record yet: the middle of the scale. */
export const NEUTRAL_REPUTATION = 2.5

/** One part of a score: its value (0 to 1), its weight, what it adds, and why. */
export interface ScorePart {
  value: number
  weight: number
  contribution: number
  reason: string
  /** Relevance ranked by meaning too: its text and meaning halves, each 0 to 1 with its weight. */
  hybrid?: RelevanceParts
}

/** The halves of a hybrid relevance; `similarity` is the raw cosine similarity (-1 to 1). */
export interface RelevanceParts {
  text: { value: number; weight: number }
  vector: { value: number; weight: number; similarity: number }
}

/** A score and its parts, as `explain=true` shows it. */
export interface Explanation {
  score: number
  parts: Record<keyof RankingWeights, ScorePart>
}

/** What is known of one candidate besides its capability row. */
export interface RankSignals {
  reputation: ReputationSummary | undefined
  online: boolean
  inFlight: number
  /** The cosine similarity of the query's embedding and the capability's, when ranked by meaning. */
  similarity?: number
}

/** What the whole candidate set tells about each member. */
export interface RankContext {
  hasQuery: boolean
  bestRelevance: number
  maxPriceMicros: bigint | undefined
  /** The cheapest price among candidates, per currency. */
  cheapestByCurrency: Map<string, bigint>
  maxLatencyMs: number | undefined
  /** Set when relevance mixes text and meaning: the mix and the closest similarity. */
  meaning?: { weights: RelevanceWeights; bestSimilarity: number }
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x))
const round = (x: number, digits: number): number => Number(x.toFixed(digits))
const pct = (x: number): string => `${Math.round(x * 100)}%`
/** A latency as people read it: whole milliseconds, one decimal under 10 ms (p95 estimates are not whole). */
const msText = (x: number): string => `${x < 10 ? round(x, 1) : Math.round(x)} ms`

/** Scales the relevance mix to sum to 1; all zero (or negative) falls back to the default. */
export function normalizeRelevanceWeights(weights: Partial<RelevanceWeights>): RelevanceWeights {
  const text = Math.max(0, weights.text ?? DEFAULT_RELEVANCE_WEIGHTS.text)
  const vector = Math.max(0, weights.vector ?? DEFAULT_RELEVANCE_WEIGHTS.vector)
  const total = text + vector
  return total > 0
    ? { text: text / total, vector: vector / total }
    : { ...DEFAULT_RELEVANCE_WEIGHTS }
}

/** Scales weights so they sum to 1; all zero (or negative) falls back to the defaults. */
export function normalizeWeights(weights: Partial<RankingWeights>): RankingWeights {
  const merged = { ...DEFAULT_RANKING_WEIGHTS, ...weights }
  const keys = Object.keys(DEFAULT_RANKING_WEIGHTS) as (keyof RankingWeights)[]
  for (const key of keys) merged[key] = Math.max(0, merged[key])
  const total = keys.reduce((sum, key) => sum + merged[key], 0)
  if (total === 0) return { ...DEFAULT_RANKING_WEIGHTS }
  for (const key of keys) merged[key] = merged[key] / total
  return merged
}

/** The reputation to rank and filter with: the summary's score, else the neutral prior. */
export function reputationScore(summary: ReputationSummary | undefined): number {
  return summary?.score ?? NEUTRAL_REPUTATION
}

/** The latency to rank and filter with: measured p95 first, else the declared one. */
export function observedLatency(
  match: CapabilityMatch,
  summary: ReputationSummary | undefined,
): { ms: number; measured: boolean } | undefined {
  if (summary?.p95LatencyMs != null) return { ms: summary.p95LatencyMs, measured: true }
  if (match.p95LatencyMs !== null) return { ms: match.p95LatencyMs, measured: false }
  return undefined
}

// Each part answers its value, and its reason only when `why` is set: ranking hundreds of
// candidates needs the numbers, and only a page with `explain` needs the words.

function relevancePart(
  match: CapabilityMatch,
  signals: RankSignals,
  ctx: RankContext,
  why: boolean,
): { value: number; reason: string; hybrid?: RelevanceParts } {
  if (!ctx.hasQuery) {
    return { value: 1, reason: why ? 'no query: every match is equally relevant' : '' }
  }
  if (ctx.meaning) return hybridRelevance(match, signals, ctx.bestRelevance, ctx.meaning, why)
  const value = ctx.bestRelevance > 0 ? clamp01(match.relevance / ctx.bestRelevance) : 1
  return { value, reason: why ? `text match ${pct(value)} as strong as the best match` : '' }
}

function hybridRelevance(
  match: CapabilityMatch,
  signals: RankSignals,
  bestRelevance: number,
  meaning: NonNullable<RankContext['meaning']>,
  why: boolean,
) {
  const { weights, bestSimilarity } = meaning
  const similarity = signals.similarity ?? 0
  const text = bestRelevance > 0 ? clamp01(match.relevance / bestRelevance) : 0
  const vector = bestSimilarity > 0 ? clamp01(similarity / bestSimilarity) : 0
  const value = weights.text * text + weights.vector * vector
  if (!why) return { value, reason: '' }
  const words = match.relevance > 0 ? `${pct(text)} as strong as the best` : 'none'
  const close = bestSimilarity > 0 ? `, ${pct(vector)} as close as the closest` : ''
  return {
    value,
    reason: `text match ${words} (weight ${round(weights.text, 2)}); meaning: cosine ${round(similarity, 2)}${close} (weight ${round(weights.vector, 2)})`,
    hybrid: {
      text: { value: round(text, 4), weight: round(weights.text, 4) },
      vector: {
        value: round(vector, 4),
        weight: round(weights.vector, 4),
        similarity: round(similarity, 4),
      },
    },
  }
}

function pricePart(match: CapabilityMatch, ctx: RankContext, why: boolean) {
  const price = () => `${formatAmount(match.priceMicros)} ${match.currency}`
  if (ctx.maxPriceMicros !== undefined) {
    const max = ctx.maxPriceMicros
    const share = max > 0n ? Number(match.priceMicros) / Number(max) : 0
    return {
      value: clamp01(1 - share),
      reason: why
        ? `${price()} is ${pct(share)} of maxPrice ${formatAmount(max)} ${match.currency}`
        : '',
    }
  }
  const cheapest = ctx.cheapestByCurrency.get(match.currency) ?? match.priceMicros
  if (match.priceMicros === 0n) return { value: 1, reason: why ? `${price()}: free` : '' }
  const value = Number(cheapest) / Number(match.priceMicros)
  if (value >= 1) return { value: 1, reason: why ? `${price()}, the cheapest match` : '' }
  const cheapestText = `${formatAmount(cheapest)} ${match.currency}`
  return {
    value,
    reason: why ? `${price()}, ${round(1 / value, 2)}x the cheapest match (${cheapestText})` : '',
  }
}

function latencyPart(match: CapabilityMatch, signals: RankSignals, ctx: RankContext, why: boolean) {
  const observed = observedLatency(match, signals.reputation)
  if (!observed) {
    return { value: 0.5, reason: why ? 'no latency measured or declared: neutral 0.5' : '' }
  }
  const reference = ctx.maxLatencyMs ?? match.timeoutMs
  const share = observed.ms / reference
  const value = clamp01(1 - share)
  if (!why) return { value, reason: '' }
  const against = ctx.maxLatencyMs !== undefined ? 'maxLatencyMs' : 'SLA timeout'
  const source = observed.measured ? 'measured' : 'declared (not yet measured)'
  let reason = `${source} p95 ${msText(observed.ms)} is ${pct(share)} of the ${msText(reference)} ${against}`
  if (observed.measured && match.p95LatencyMs !== null && observed.ms > match.p95LatencyMs) {
    reason += `, slower than the ${msText(match.p95LatencyMs)} it promises`
  }
  return { value, reason }
}

function reputationPart(signals: RankSignals, why: boolean) {
  const summary = signals.reputation
  if (!summary) {
    return {
      value: NEUTRAL_REPUTATION / 5,
      reason: why ? `no reputation yet: neutral prior ${NEUTRAL_REPUTATION}/5` : '',
    }
  }
  const value = clamp01(summary.score / 5)
  if (!why) return { value, reason: '' }
  const success = summary.successRate === null ? '' : `, ${pct(summary.successRate)} successful`
  const calls = `${summary.calls} call${summary.calls === 1 ? '' : 's'}`
  const anomalous = summary.anomalous ? ', lowered while it behaves anomalously' : ''
  return { value, reason: `${round(summary.score, 2)}/5 over ${calls}${success}${anomalous}` }
}

function livenessPart(signals: RankSignals, why: boolean) {
  if (signals.online) return { value: 1, reason: why ? 'online now' : '' }
  return { value: 0, reason: why ? 'offline: no heartbeat within the TTL' : '' }
}

function loadPart(match: CapabilityMatch, signals: RankSignals, why: boolean) {
  if (!signals.online) return { value: 0, reason: why ? 'offline: no free slot' : '' }
  const busy = Math.min(signals.inFlight, match.concurrency)
  const value = 1 - busy / match.concurrency
  return { value, reason: why ? `${signals.inFlight} of ${match.concurrency} task slots busy` : '' }
}

function parts(match: CapabilityMatch, signals: RankSignals, ctx: RankContext, why: boolean) {
  return {
    relevance: relevancePart(match, signals, ctx, why),
    price: pricePart(match, ctx, why),
    latency: latencyPart(match, signals, ctx, why),
    reputation: reputationPart(signals, why),
    liveness: livenessPart(signals, why),
    load: loadPart(match, signals, why),
  }
}

const PART_NAMES = Object.keys(DEFAULT_RANKING_WEIGHTS) as (keyof RankingWeights)[]

/** The score of one candidate, between 0 and 1: the sum of its weighted parts. */
export function scoreOf(
  match: CapabilityMatch,
  signals: RankSignals,
  ctx: RankContext,
  weights: RankingWeights,
): number {
  const values = parts(match, signals, ctx, false)
  let score = 0
  for (const key of PART_NAMES) score += values[key].value * weights[key]
  return round(score, 6)
}

/** The same score as `scoreOf`, with every part, its weight, its contribution and why. */
export function explainScore(
  match: CapabilityMatch,
  signals: RankSignals,
  ctx: RankContext,
  weights: RankingWeights,
): Explanation {
  const raw = parts(match, signals, ctx, true)
  let score = 0
  const explained = {} as Record<keyof RankingWeights, ScorePart>
  for (const key of PART_NAMES) {
    const { value, reason } = raw[key]
    const contribution = value * weights[key]
    score += contribution
    explained[key] = {
      value: round(value, 4),
      weight: round(weights[key], 4),
      contribution: round(contribution, 4),
      reason,
    }
  }
  if (raw.relevance.hybrid) explained.relevance.hybrid = raw.relevance.hybrid
  return { score: round(score, 6), parts: explained }
}
