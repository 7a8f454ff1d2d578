import {
  addSignature,
  createCertificate,
  MeshError,
  quorumThreshold,
  verifyCertificate,
  type FlEvaluation,
  type FlRoundDecision,
  type FlSignature,
  type FlValidateInput,
  type FlValidatorReport,
  type QuorumCertificate,
  type WireError,
} from '@agentmesh/protocol'
import { stepOf, type RoundContext } from './fl-round-context.js'
import { evaluationSchema, signatureSchema } from './fl-schemas.js'

/** What the validators made of a proposed model. */
export interface Certification {
  reports: FlValidatorReport[]
  /** Medians over the accepting validators (over all when none accepted). */
  accuracy: number | null
  loss: number | null
  /** Set when the round has its quorum. */
  certificate: QuorumCertificate | null
  refusedSignatures: { validator: string; reason: string }[]
  error: WireError | null
}

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const rejected = (message: string): WireError =>
  new MeshError('FL_ROUND_REJECTED', message).toWire()

/**
 * Asks the job's validators to approve a proposed model, in two steps. First each evaluates it
 * (and the current model) on its own held-out data and says whether it meets the job's
 * acceptance; fewer than 2f+1 acceptances reject the round. Then the node proposes the decision
 * — job, round, model hash and the validators' metrics — and each accepting validator signs the
 * certificate statement over it with its own key. Every signature is checked as it comes (a forged
 * one, or one by a non-member, is refused and listed), and the round is approved only when the
 * certificate verifies with at least 2f+1 of n signatures.
 */
export async function certify(
  ctx: RoundContext,
  proposed: { params: string; hash: string },
  previous: { params: string; hash: string },
): Promise<Certification> {
  const { job, settings } = ctx
  const base = { job: job.id, round: ctx.round }
  const evaluate: FlValidateInput = {
    ...base,
    op: 'evaluate',
    model: settings.model,
    params: proposed.params,
    previous: previous.params,
    acceptance: settings.acceptance,
  }
  const evaluations = await ctx.dispatch.all(
    stepOf(ctx, settings.validatorCapability, evaluationSchema),
    job.validators,
    () => evaluate,
    (output) => {
      const evaluation = output as FlEvaluation
      if (evaluation.modelHash !== proposed.hash) {
        throw new MeshError('FL_UPDATE_INVALID', 'The evaluation names another model')
      }
      return evaluation
    },
  )
  const reports: FlValidatorReport[] = evaluations.flatMap((result) => {
    if (!result.ok) return []
    const { modelHash: _hash, ...report } = result.output
    return [{ validator: result.agentId, ...report }]
  })
  const accepting = reports.filter((r) => r.accept)
  const summary = accepting.length > 0 ? accepting : reports
  const outcome = {
    reports,
    accuracy: median(summary.map((r) => r.accuracy)),
    loss: median(summary.map((r) => r.loss)),
  }
  const needed = quorumThreshold(job.f)
  if (accepting.length < needed) {
    const error = rejected(
      `${accepting.length} of ${job.validators.length} validators accepted the model; ${needed} (2f+1) needed`,
    )
    return { ...outcome, certificate: null, refusedSignatures: [], error }
  }
  const decision: FlRoundDecision = {
    kind: 'fl-round',
    ...base,
    modelHash: proposed.hash,
    previousHash: previous.hash,
    metrics: {
      accuracy: outcome.accuracy!,
      loss: outcome.loss!,
      examples: accepting.reduce((sum, r) => sum + r.examples, 0),
      reports,
    },
  }
  let certificate = createCertificate(decision, job.validators, job.f)
  const sign: FlValidateInput = {
    ...base,
    op: 'sign',
    decision,
    validators: job.validators,
    f: job.f,
  }
  const signatures = await ctx.dispatch.all(
    stepOf(ctx, settings.validatorCapability, signatureSchema),
    accepting.map((r) => r.validator),
    () => sign,
    (output) => output as FlSignature,
  )
  const refusedSignatures: { validator: string; reason: string }[] = []
  for (const result of signatures) {
    const validator = result.agentId
    if (!result.ok) {
      refusedSignatures.push({ validator, reason: result.error.message })
    } else if ('refused' in result.output) {
      refusedSignatures.push({ validator, reason: `Declined: ${result.output.refused}` })
    } else {
      try {
        certificate = addSignature(certificate, { signer: validator, ...result.output })
      } catch (error) {
        refusedSignatures.push({ validator, reason: (error as Error).message })
      }
    }
  }
  const verdict = verifyCertificate(certificate)
  if (!verdict.ok) {
    return { ...outcome, certificate: null, refusedSignatures, error: rejected(verdict.reason) }
  }
  return { ...outcome, certificate, refusedSignatures, error: null }
}
