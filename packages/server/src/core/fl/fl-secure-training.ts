import {
  noisyMean,
  routeShares,
  unmaskRequest,
  unmaskSum,
  type KeyAdvertisement,
  type MaskedInput,
  type RevealMessage,
  type SecAggConfig,
  type ShareKeysMessage,
} from '@agentmesh/fl'
import { MeshError, type FlTrainInput } from '@agentmesh/protocol'
import type { StepResult } from './fl-dispatch.js'
import { trainingOf } from './fl-plain-training.js'
import {
  record,
  requireTrainers,
  stepOf,
  type Proposal,
  type RoundContext,
} from './fl-round-context.js'
import { secAggSchemas } from './fl-schemas.js'
import { secAggGraph } from './fl-settings.js'
import type { FlContribution } from './fl-types.js'

/** The round's secure-aggregation settings: the graph, and the largest power-of-two scale that cannot overflow. */
export function secAggConfig(ctx: RoundContext, trainers: string[]): SecAggConfig {
  const options = ctx.settings.secureAggregation!
  const { threshold, neighbours } = secAggGraph(options, trainers.length)
  let scale = 2 ** 24
  while (trainers.length * options.clip * scale >= 2 ** 30) scale /= 2
  return {
    context: `${ctx.job.id}/${ctx.round}`,
    trainers,
    threshold,
    ...(neighbours === undefined ? {} : { neighbours }),
    scale,
    clip: options.clip,
  }
}

/** A message whose `trainer` is not the agent that sent it is refused. */
function from<T extends { trainer: string }>(output: unknown, agentId: string): T {
  const message = output as T
  if (message.trainer !== agentId) {
    throw new MeshError('FL_SECAGG_INVALID', `"${agentId}" sent a message as "${message.trainer}"`)
  }
  return message
}

const answered = <T>(results: StepResult<T>[]): T[] =>
  results.flatMap((result) => (result.ok ? [result.output] : []))

/**
 * A round with secure aggregation (SecAgg+): four steps, each a task to the trainers still in —
 * advertise keys, share keys (sealed to each neighbour, passed on by the node), train and send the
 * masked update (params − global, clipped per value), reveal the shares that unmask the sum. The
 * node sees only masked vectors and the sum of the survivors' updates; a trainer that drops out is
 * not in the sum, and the sum is exact while enough shares come back. The aggregate is the global
 * model plus the mean change (with differential privacy: plus noise, over the trainers asked).
 */
export async function trainSecure(
  ctx: RoundContext,
  contributions: FlContribution[],
): Promise<Proposal> {
  const trainers = contributions.map((c) => c.trainer)
  const byTrainer = new Map(contributions.map((c) => [c.trainer, c]))
  const config = secAggConfig(ctx, trainers)
  const { settings } = ctx
  const base = { job: ctx.job.id, round: ctx.round }
  const step = async <T>(
    schema: object,
    agents: string[],
    input: (agentId: string) => FlTrainInput,
  ): Promise<StepResult<T>[]> => {
    const results = await ctx.dispatch.all(
      stepOf(ctx, settings.trainerCapability, schema),
      agents,
      input,
      (output, agentId) => from<{ trainer: string }>(output, agentId) as T,
    )
    for (const result of results) record(byTrainer.get(result.agentId)!, result)
    return results
  }

  const ads = answered(
    await step<KeyAdvertisement>(secAggSchemas.advertise, trainers, () => ({
      ...base,
      op: 'secagg-advertise',
      config: { ...config },
    })),
  )
  const shared = answered(
    await step<ShareKeysMessage>(
      secAggSchemas.share,
      ads.map((ad) => ad.trainer),
      () => ({ ...base, op: 'secagg-share', advertisements: ads.map((ad) => ({ ...ad })) }),
    ),
  )
  const routed = routeShares(config, shared)
  const training = trainingOf(ctx)
  const masked = answered(
    await step<MaskedInput>(
      secAggSchemas.mask(settings.size),
      shared.map((message) => message.trainer),
      (agentId) => ({
        ...base,
        op: 'secagg-mask',
        ...training,
        shares: (routed.get(agentId) ?? []).map((share) => ({ ...share })),
      }),
    ),
  )
  requireTrainers(masked.length, trainers.length, settings.minTrainers)
  const request = unmaskRequest(config, shared, masked)
  const reveals = answered(
    await step<RevealMessage>(secAggSchemas.reveal, request.survivors, () => ({
      ...base,
      op: 'secagg-reveal',
      request,
    })),
  )
  const { sum, survivors } = await unmaskSum(config, ads, shared, masked, reveals, settings.size)
  const mean = settings.dp
    ? noisyMean(sum, trainers.length, settings.dp, ctx.random.bytes(32))
    : sum.map((x) => x / survivors.length)
  const inSum = new Set(survivors)
  for (const contribution of contributions) {
    if (inSum.has(contribution.trainer)) {
      // A survivor that did not answer the last step is still in the sum.
      contribution.state = 'accepted'
      contribution.error = null
    } else if (contribution.state === 'pending') contribution.state = 'dropped'
  }
  return { params: ctx.global.map((x, k) => x + mean[k]!), trainLoss: null }
}
