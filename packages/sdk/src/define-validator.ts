import { decodeParams, hashParams, type Evaluation } from '@agentmesh/fl'
import {
  FL_VALIDATE,
  signCertificate,
  type FlAcceptance,
  type FlEvaluation,
  type FlRoundDecision,
  type FlSignature,
  type FlValidateInput,
} from '@agentmesh/protocol'
import { stepSchema } from './define-trainer.js'
import {
  dataLoader,
  FlAgent,
  modelFor,
  RecentRounds,
  type DataSource,
  type ModelFactory,
} from './fl-agent.js'

/** What a validator is: its name and its held-out data; the rest has defaults. */
export interface ValidatorDefinition {
  name: string
  description?: string
  /** Held-out examples the validator evaluates proposed models on. */
  data: DataSource
  model?: ModelFactory
  /** The capability served (default `fl.validate`). */
  capability?: string
  currency?: string
  /**
   * Whether to accept a proposed model; by default the job's acceptance: at least `minAccuracy`,
   * and at most `maxAccuracyDrop` below the current model on the same data.
   */
  accept?: (proposed: Evaluation, current: Evaluation, acceptance: FlAcceptance) => boolean
}

const byJob: NonNullable<ValidatorDefinition['accept']> = (proposed, current, acceptance) =>
  proposed.accuracy >= acceptance.minAccuracy &&
  proposed.accuracy >= current.accuracy - acceptance.maxAccuracyDrop

/** A loss as JSON carries it: finite, and not above a billion. */
const bounded = (loss: number) => (Number.isFinite(loss) ? Math.min(loss, 1e9) : 1e9)

/** Why the validator will not sign `decision`, or undefined when it will. */
function refusal(
  decision: FlRoundDecision,
  input: { job: string; round: number; validators: string[] },
  own: FlEvaluation | undefined,
  self: string,
): string | undefined {
  if (!own) return 'this validator has not evaluated the round'
  if (decision.job !== input.job || decision.round !== input.round)
    return 'the decision names another round'
  if (decision.modelHash !== own.modelHash) return 'the decision names another model'
  if (!own.accept) return 'this validator rejected the model'
  if (!input.validators.includes(self)) return 'this validator is not in the set'
  const mine = decision.metrics.reports.find((r) => r.validator === self)
  if (mine?.accuracy !== own.accuracy || mine.loss !== own.loss)
    return 'the decision misstates this validator’s report'
  const accepted = decision.metrics.reports.filter((r) => r.accept).map((r) => r.accuracy)
  const { accuracy } = decision.metrics
  if (accuracy < Math.min(...accepted) || accuracy > Math.max(...accepted))
    return 'the decision’s accuracy is not its reports’'
  return undefined
}

/**
 * Defines a federated-learning validator: an agent serving `fl.validate` that evaluates each
 * proposed model (and the current one) on its own held-out data, says whether it accepts, then
 * signs the round's decision with its own key — only a decision naming the model it evaluated
 * and accepted, with its own report as it gave it. The node needs the validator role on its key.
 */
export function defineValidator(definition: ValidatorDefinition): FlAgent {
  const load = dataLoader(definition.data)
  const accept = definition.accept ?? byJob
  const evaluated = new RecentRounds<FlEvaluation>()
  const handle = async (
    input: FlValidateInput,
    agent: FlAgent,
  ): Promise<FlEvaluation | FlSignature> => {
    const round = `${input.job}/${input.round}`
    if (input.op === 'sign') {
      const why = refusal(input.decision, input, evaluated.get(round), agent.key.did)
      if (why) return { refused: why }
      const { signature } = signCertificate(
        { decision: input.decision, validators: input.validators, f: input.f },
        agent.key,
      )
      return { signature }
    }
    const data = await load()
    const model = modelFor(definition.model, input.model, data)
    const params = decodeParams(input.params, model.size)
    const proposed = model.evaluate(params, data)
    const current = model.evaluate(decodeParams(input.previous, model.size), data)
    const evaluation: FlEvaluation = {
      modelHash: hashParams(params),
      accuracy: proposed.accuracy,
      loss: bounded(proposed.loss),
      examples: proposed.examples,
      previousAccuracy: current.accuracy,
      accept: accept(proposed, current, input.acceptance),
    }
    evaluated.set(round, evaluation)
    return evaluation
  }
  const agent: FlAgent = new FlAgent({
    name: definition.name,
    description: definition.description ?? 'Validates federated-learning models on held-out data',
    capabilities: [
      {
        id: definition.capability ?? FL_VALIDATE,
        description: 'Evaluates a proposed model on held-out data and signs approved rounds',
        tags: ['fl', 'validation'],
        input: stepSchema(['evaluate', 'sign']),
        output: { type: 'object' },
        pricing: { model: 'per_call', amount: '0', currency: definition.currency ?? 'USD' },
        sla: { timeoutMs: 600_000 },
        handler: (input: FlValidateInput) => handle(input, agent),
      },
    ],
  })
  return agent
}
