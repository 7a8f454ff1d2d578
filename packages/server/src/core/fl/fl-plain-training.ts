import {
  aggregate,
  clipToNorm,
  decodeParams,
  noisyMean,
  type ClientUpdate,
  type FedAdamState,
} from '@agentmesh/fl'
import type { FlTrainInput, FlTrainOutput } from '@agentmesh/protocol'
import { trainOutputSchema } from './fl-schemas.js'
import type { FlContribution } from './fl-types.js'
import {
  record,
  requireTrainers,
  stepOf,
  type Proposal,
  type RoundContext,
} from './fl-round-context.js'

/** What a trainer is asked to train in `ctx`'s round (the seed varies with the round). */
export function trainingOf(ctx: RoundContext) {
  const { settings } = ctx
  return {
    model: settings.model,
    params: ctx.globalParams,
    train: { ...settings.train, seed: settings.train.seed + ctx.round },
    ...(settings.dp ? { clipNorm: settings.dp.clipNorm } : {}),
  }
}

/**
 * A round without secure aggregation: each trainer trains the global model on its data and sends
 * its parameters back; the job's strategy aggregates them and says whose it used. With
 * differential privacy the node clips each update (params − global) itself, whatever the trainer
 * did, and adds Gaussian noise to their sum before averaging over the trainers asked.
 */
export async function trainPlain(
  ctx: RoundContext,
  contributions: FlContribution[],
  state: FedAdamState | undefined,
): Promise<Proposal> {
  const trainers = contributions.map((c) => c.trainer)
  const { settings, global } = ctx
  const input: FlTrainInput = { op: 'train', job: ctx.job.id, round: ctx.round, ...trainingOf(ctx) }
  const results = await ctx.dispatch.all(
    stepOf(ctx, settings.trainerCapability, trainOutputSchema(settings.size)),
    trainers,
    () => input,
    (output) => {
      const answer = output as FlTrainOutput
      return { ...answer, vector: decodeParams(answer.params, settings.size) }
    },
  )
  const updates: ClientUpdate[] = []
  results.forEach((result, i) => {
    const contribution = contributions[i]!
    record(contribution, result)
    if (!result.ok) return
    contribution.examples = result.output.examples
    contribution.loss = result.output.loss
    updates.push({
      trainer: result.agentId,
      params: result.output.vector,
      examples: result.output.examples,
    })
  })
  requireTrainers(updates.length, trainers.length, settings.minTrainers)
  const outcome = settings.dp
    ? { ...privateMean(ctx, updates, trainers.length), state: undefined }
    : aggregate(settings.strategy, global, updates, state)
  const accepted = new Set(outcome.accepted)
  for (const contribution of contributions) {
    if (contribution.state !== 'pending') continue
    contribution.state = accepted.has(contribution.trainer) ? 'accepted' : 'discarded'
  }
  const used = contributions.filter((c) => c.state === 'accepted' && c.loss !== null)
  const trainLoss = used.length ? used.reduce((s, c) => s + c.loss!, 0) / used.length : null
  return {
    params: outcome.params,
    trainLoss,
    ...(outcome.state ? { state: outcome.state } : {}),
  }
}

/** The noisy mean of the clipped updates, over the trainers asked (not those that answered). */
function privateMean(ctx: RoundContext, updates: ClientUpdate[], asked: number) {
  const dp = ctx.settings.dp!
  const sum = new Float64Array(ctx.global.length)
  for (const update of updates) {
    const delta = update.params.map((x, k) => x - ctx.global[k]!)
    const { vector } = clipToNorm(delta, dp.clipNorm)
    for (let k = 0; k < sum.length; k++) sum[k] = sum[k]! + vector[k]!
  }
  const mean = noisyMean(sum, asked, dp, ctx.random.bytes(32))
  return {
    params: ctx.global.map((x, k) => x + mean[k]!),
    accepted: updates.map((u) => u.trainer),
  }
}
