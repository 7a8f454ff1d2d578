import { createModel, type StrategySpec } from '@agentmesh/fl'
import {
  FL_TRAIN,
  FL_VALIDATE,
  formatAmount,
  MeshError,
  parseMoney,
  type FlJobSpec,
} from '@agentmesh/protocol'
import type { FlSettings } from './fl-types.js'

/** The most parameters a job's model may have (base64 of them must fit in a task frame). */
export const MAX_MODEL_PARAMS = 150_000

const invalid = (message: string) => new MeshError('INVALID_INPUT', message)

/** The strategies that aggregate a plain (weighted) mean, which a masked or noisy sum can stand in for. */
const summing = new Set<StrategySpec['name']>(['fedavg', 'fedprox'])

/** Checks what a robust strategy needs of the number of trainers a round may run with. */
function checkStrategy(strategy: StrategySpec, minTrainers: number): void {
  if (strategy.name === 'krum' || strategy.name === 'multi-krum') {
    if (minTrainers < 2 * strategy.byzantine + 3) {
      throw invalid(
        `${strategy.name} with byzantine ${strategy.byzantine} needs rounds of at least ${2 * strategy.byzantine + 3} trainers, not ${minTrainers}`,
      )
    }
  }
  if (strategy.name === 'trimmed-mean' || strategy.name === 'median') {
    const f = strategy.byzantine ?? 0
    if (minTrainers <= 2 * f) {
      throw invalid(
        `${strategy.name} with byzantine ${f} needs rounds of more than ${2 * f} trainers, not ${minTrainers}`,
      )
    }
  }
}

function money(spec: FlJobSpec) {
  const budget = parseMoney(spec.budget)
  const slots = BigInt(spec.rounds * spec.trainers.count)
  const price = spec.pricePerUpdate ? parseMoney(spec.pricePerUpdate) : undefined
  if (price && price.currency !== budget.currency) {
    throw new MeshError(
      'CURRENCY_MISMATCH',
      'pricePerUpdate and budget are in different currencies',
    )
  }
  const priceMicros = price?.micros ?? budget.micros / slots
  if (priceMicros <= 0n) {
    throw new MeshError(
      'INVALID_AMOUNT',
      `A budget of ${formatAmount(budget.micros)} pays nothing for each of ${slots} updates`,
    )
  }
  if (priceMicros * slots > budget.micros) {
    throw invalid(
      `The budget ${formatAmount(budget.micros)} does not cover ${slots} updates at ${formatAmount(priceMicros)}`,
    )
  }
  return { currency: budget.currency, budgetMicros: budget.micros, priceMicros }
}

/**
 * Secure aggregation's graph for a round of `trainers`: each masks with `neighbours` peers (all
 * others up to 25 trainers, else 24), and a secret needs `threshold` of its holders (the
 * neighbours and itself): just over half unless given.
 */
export function secAggGraph(
  options: { threshold?: number; neighbours?: number },
  trainers: number,
): { threshold: number; neighbours: number | undefined } {
  const wanted = options.neighbours ?? 24
  const neighbours = wanted >= trainers - 1 ? undefined : wanted
  const holders = (neighbours ?? trainers - 1) + 1
  return { threshold: options.threshold ?? Math.floor(holders / 2) + 1, neighbours }
}

function checkGraph(options: { threshold?: number; neighbours?: number }, trainers: number): void {
  const { threshold, neighbours } = secAggGraph(options, trainers)
  const holders = (neighbours ?? trainers - 1) + 1
  if (holders < 3) throw invalid('Secure aggregation needs rounds of at least 3 trainers')
  if (neighbours !== undefined && neighbours % 2 !== 0) {
    throw invalid(`Secure aggregation neighbours ${neighbours} is not an even number`)
  }
  if (2 * threshold <= holders || threshold > holders) {
    throw invalid(
      `Secure aggregation threshold ${threshold} must be more than half of the ${holders} holders of a secret (rounds of ${trainers} trainers) and at most all`,
    )
  }
}

function secureAggregation(spec: FlJobSpec, strategy: StrategySpec) {
  const secure = spec.secureAggregation
  if (secure === undefined || secure === false) return null
  if (!summing.has(strategy.name)) {
    throw invalid(
      `Secure aggregation sums masked updates: "${strategy.name}" needs each update, use fedavg or fedprox`,
    )
  }
  const options = secure === true ? {} : secure
  checkGraph(options, spec.trainers.count)
  checkGraph(options, spec.trainers.min ?? spec.trainers.count)
  return {
    clip: options.clip ?? 4,
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
    ...(options.neighbours === undefined ? {} : { neighbours: options.neighbours }),
  }
}

/**
 * A job spec (schema-checked at the edge) with its meaning checked and every default filled in:
 * the model builds and fits a task, robust strategies get enough trainers, secure aggregation and
 * differential privacy come with a summing strategy, the validator set tolerates its `f`, and the
 * budget covers every update the job may accept.
 */
export function settingsOf(spec: FlJobSpec): FlSettings {
  const size = createModel(spec.model).size
  if (size > MAX_MODEL_PARAMS) {
    throw invalid(`The model has ${size} parameters; at most ${MAX_MODEL_PARAMS} are allowed`)
  }
  const trainers = spec.trainers.count
  const minTrainers = spec.trainers.min ?? trainers
  if (minTrainers > trainers) throw invalid(`trainers.min ${minTrainers} is above trainers.count`)
  const strategy: StrategySpec = spec.strategy
  checkStrategy(strategy, minTrainers)
  if (spec.dp && !summing.has(strategy.name)) {
    throw invalid(
      `Differential privacy adds noise to a sum: use fedavg or fedprox, not "${strategy.name}"`,
    )
  }
  const validatorCount = spec.validators.count
  const f = spec.validators.f ?? Math.floor((validatorCount - 1) / 3)
  if (validatorCount < 3 * f + 1) {
    throw invalid(
      `${validatorCount} validators cannot tolerate f=${f}: n ≥ 3f+1 = ${3 * f + 1} needed`,
    )
  }
  const proximalMu = strategy.name === 'fedprox' ? strategy.mu : spec.train.proximalMu
  return {
    name: spec.name ?? null,
    model: spec.model,
    size,
    rounds: spec.rounds,
    train: { ...spec.train, ...(proximalMu === undefined ? {} : { proximalMu }) },
    trainerCapability: spec.trainers.capability ?? FL_TRAIN,
    trainers,
    minTrainers,
    strategy,
    secureAggregation: secureAggregation(spec, strategy),
    dp: spec.dp ? { delta: 1e-5, ...spec.dp } : null,
    validatorCapability: spec.validators.capability ?? FL_VALIDATE,
    validatorCount,
    f,
    acceptance: {
      minAccuracy: spec.acceptance?.minAccuracy ?? 0,
      maxAccuracyDrop: spec.acceptance?.maxAccuracyDrop ?? 0.05,
    },
    ...money(spec),
    roundTimeoutMs: spec.roundTimeoutMs ?? 60_000,
  }
}
