import { encodeParams, hashParams, privacySpent, type FedAdamState } from '@agentmesh/fl'
import type { FlJobEvent, QuorumCertificate } from '@agentmesh/protocol'
import type { CertificateStore } from '../certificates/certificate-store.js'
import { newId } from '../ids.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { OutcomeSink } from '../ports/outcome-sink.js'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { Random } from '../ports/random.js'
import type { FlBudget } from './fl-budget.js'
import { certify } from './fl-certify.js'
import { pickTrainers } from './fl-participants.js'
import { trainPlain } from './fl-plain-training.js'
import {
  pendingContribution,
  requireTrainers,
  wireOf,
  type Proposal,
  type RoundContext,
} from './fl-round-context.js'
import { trainSecure } from './fl-secure-training.js'
import type { FlStore } from './fl-store.js'
import type { FlContribution, FlRound } from './fl-types.js'

/** What running a round needs beyond its context. */
export interface RoundDeps {
  store: FlStore
  certificates: CertificateStore
  budget: FlBudget
  outcomes: OutcomeSink
  audit: AuditSink
  clock: Clock
  random: Random
  directory: ProviderDirectory
  nodeDid: string
  publish(job: string, event: FlJobEvent): Promise<void>
}

/**
 * One round of a job: trainers picked through discovery, training (plain or secure), the
 * validators' certificate, then approval or rejection. An approved round's model is stored by its
 * hash and becomes current, its certificate is stored and audited, and each accepted update is
 * paid from the round's hold; a rejected or failed round pays nothing and the model stays. A
 * discarded or malformed update counts against its trainer's reputation. Answers the round and,
 * when approved, the new parameters and FedAdam's moments.
 */
export async function runRound(
  deps: RoundDeps,
  ctx: RoundContext,
  state: FedAdamState | undefined,
): Promise<{ round: FlRound; approved?: Proposal }> {
  const { job, settings } = ctx
  const round: FlRound = {
    job: job.id,
    round: ctx.round,
    state: 'training',
    startedAtMs: deps.clock.now(),
    endedAtMs: null,
    contributions: [],
    trainLoss: null,
    accuracy: null,
    loss: null,
    reports: [],
    modelHash: null,
    certificate: null,
    refusedSignatures: [],
    privacy: null,
    error: null,
  }
  const save = async () => {
    await deps.store.saveRound(round)
    await deps.publish(job.id, {
      type: 'round',
      round: round.round,
      state: round.state,
      accuracy: round.accuracy,
      accepted: round.contributions.filter((c) => c.state === 'accepted').length,
      trainers: round.contributions.length,
      error: round.error,
    })
  }
  await save()
  let approved: Proposal | undefined
  try {
    const trainers = await pickTrainers(deps.directory, settings, [job.owner, ...job.validators])
    requireTrainers(trainers.length, settings.trainers, settings.minTrainers)
    job.participants = [...new Set([...job.participants, ...trainers])].slice(0, 10_000)
    await deps.store.saveJob(job)
    round.contributions = trainers.map(pendingContribution)
    await deps.store.saveRound(round)
    const proposal = settings.secureAggregation
      ? await trainSecure(ctx, round.contributions)
      : await trainPlain(ctx, round.contributions, state)
    round.trainLoss = proposal.trainLoss
    const params = encodeParams(proposal.params)
    round.modelHash = hashParams(proposal.params)
    round.state = 'validating'
    if (settings.dp) {
      // Every model the validators see is released: its noise counts whether or not it is approved.
      job.noisyRounds += 1
      const { epsilon, delta } = privacySpent({
        noiseMultiplier: settings.dp.noiseMultiplier,
        samplingRate: 1,
        rounds: job.noisyRounds,
        delta: settings.dp.delta,
      })
      round.privacy = { epsilon, delta }
    }
    await save()
    const previous = { params: ctx.globalParams, hash: job.currentModel.hash }
    const certification = await certify(ctx, { params, hash: round.modelHash }, previous)
    round.reports = certification.reports
    round.accuracy = certification.accuracy
    round.loss = certification.loss
    round.refusedSignatures = certification.refusedSignatures
    if (certification.certificate) {
      await approve(deps, ctx, round, { params, certificate: certification.certificate })
      round.state = 'approved'
      approved = proposal
    } else {
      round.state = 'rejected'
      round.error = certification.error
      await deps.budget.release(job.id, ctx.round)
    }
  } catch (error) {
    round.state = 'failed'
    round.error = wireOf(error)
    // Whoever was still in when the round failed took no further part.
    for (const contribution of round.contributions) {
      if (contribution.state === 'pending') contribution.state = 'dropped'
    }
    await deps.budget.release(job.id, ctx.round)
  }
  round.endedAtMs = deps.clock.now()
  await penalize(deps, ctx, round.contributions)
  await deps.audit.record({
    actor: deps.nodeDid,
    action: `fl.round.${round.state}`,
    resource: `fl-job:${job.id}`,
    result: round.state === 'approved' ? 'ok' : 'error',
    details: {
      round: round.round,
      modelHash: round.modelHash,
      certificate: round.certificate?.id ?? null,
      accuracy: round.accuracy,
      accepted: round.contributions.filter((c) => c.state === 'accepted').length,
      ...(round.error ? { error: round.error.code } : {}),
    },
  })
  await save()
  return approved ? { round, approved } : { round }
}

/** Makes the round's model current: stored by hash, its certificate stored, its updates paid. */
async function approve(
  deps: RoundDeps,
  ctx: RoundContext,
  round: FlRound,
  proposed: { params: string; certificate: QuorumCertificate },
): Promise<void> {
  const { job, settings } = ctx
  const now = deps.clock.now()
  const hash = round.modelHash!
  await deps.store.putModel({ hash, params: proposed.params, size: settings.size }, now)
  const id = newId('cert', deps.clock, deps.random)
  await deps.certificates.insert({
    id,
    createdBy: deps.nodeDid,
    createdAtMs: now,
    certificate: proposed.certificate,
  })
  round.certificate = { id, ...proposed.certificate }
  const paid = round.contributions.filter((c) => c.state === 'accepted')
  await deps.budget.pay(
    job.id,
    ctx.round,
    paid.map((c) => ({ payee: c.trainer, amountMicros: settings.priceMicros })),
    settings.currency,
  )
  for (const contribution of paid) contribution.paidMicros = settings.priceMicros
  job.paidMicros += settings.priceMicros * BigInt(paid.length)
  job.currentModel = { hash, round: ctx.round }
}

/**
 * A malformed update counts as disputed for its trainer, and so does one a robust strategy
 * discarded as an outlier — not under Krum, which keeps one update and discards honest ones too.
 */
async function penalize(deps: RoundDeps, ctx: RoundContext, contributions: FlContribution[]) {
  const outliers = ctx.settings.strategy.name !== 'krum'
  for (const { state, trainer } of contributions) {
    if (state !== 'invalid' && !(state === 'discarded' && outliers)) continue
    await deps.outcomes.recordOutcome({
      taskId: `fl:${ctx.job.id}:${ctx.round}`,
      agentId: trainer,
      capabilityId: ctx.settings.trainerCapability,
      requester: ctx.job.owner,
      result: 'disputed',
      latencyMs: 0,
      paidMicros: 0n,
      currency: ctx.settings.currency,
      atMs: deps.clock.now(),
    })
  }
}
