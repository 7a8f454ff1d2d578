import { toMoney, type FlJobView, type FlModelView, type FlRoundView } from '@agentmesh/protocol'
import type { FlJob, FlRound, FlStoredModel } from '../../core/fl/fl-types.js'

const iso = (ms: number): string => new Date(ms).toISOString()

/** A round as the API shows it. */
function roundView(round: FlRound, currency: string): FlRoundView {
  return {
    round: round.round,
    state: round.state,
    startedAt: iso(round.startedAtMs),
    endedAt: round.endedAtMs === null ? null : iso(round.endedAtMs),
    contributions: round.contributions.map(({ paidMicros, ...c }) => ({
      ...c,
      paid: toMoney(paidMicros, currency),
    })),
    trainLoss: round.trainLoss,
    accuracy: round.accuracy,
    loss: round.loss,
    reports: round.reports,
    modelHash: round.modelHash,
    certificate: round.certificate,
    refusedSignatures: round.refusedSignatures,
    privacy: round.privacy,
    error: round.error,
  }
}

/** A job with its rounds as the API shows it. */
export function flJobView(job: FlJob, rounds: FlRound[]): FlJobView {
  const { currency } = job.settings
  return {
    id: job.id,
    owner: job.owner,
    name: job.settings.name,
    state: job.state,
    createdAt: iso(job.createdAtMs),
    updatedAt: iso(job.updatedAtMs),
    spec: job.spec,
    validators: job.validators,
    f: job.f,
    currentModel: job.currentModel,
    pricePerUpdate: toMoney(job.settings.priceMicros, currency),
    escrowed: toMoney(job.escrowedMicros, currency),
    paid: toMoney(job.paidMicros, currency),
    rounds: rounds.map((round) => roundView(round, currency)),
    error: job.error,
  }
}

/** The model in force, with its parameters. */
export function flModelView(job: FlJob, model: FlStoredModel): FlModelView {
  return {
    job: job.id,
    round: job.currentModel.round,
    hash: model.hash,
    model: job.settings.model,
    params: model.params,
  }
}
