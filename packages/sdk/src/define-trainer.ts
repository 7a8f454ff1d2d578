import {
  advertiseKeys,
  clipToNorm,
  decodeParams,
  encodeParams,
  maskInput,
  revealShares,
  shareKeys,
  type Dataset,
  type EncryptedShare,
  type KeyAdvertisement,
  type SecAggConfig,
  type SecAggTrainerState,
} from '@agentmesh/fl'
import { FL_TRAIN, MeshError, type FlTrainInput, type FlTrainOutput } from '@agentmesh/protocol'
import {
  dataLoader,
  FlAgent,
  modelFor,
  RecentRounds,
  type DataSource,
  type ModelFactory,
} from './fl-agent.js'

/** What a trainer is: its name and where its examples come from; the rest has defaults. */
export interface TrainerDefinition {
  name: string
  description?: string
  /** The trainer's own examples; they never leave it. */
  data: DataSource
  /** Builds the model a job names (default `createModel` from `@agentmesh/fl`). */
  model?: ModelFactory
  /** The capability served (default `fl.train`). */
  capability?: string
  /** The currency of its (zero) price, which jobs in that currency find (default USD). */
  currency?: string
  concurrency?: number
}

type Training = Extract<FlTrainInput, { op: 'train' }>

/** Trains the job's global model on the data; with `clipNorm`, clips the update (params − global). */
function localUpdate(definition: TrainerDefinition, input: Omit<Training, 'op'>, data: Dataset) {
  const model = modelFor(definition.model, input.model, data)
  const global = decodeParams(input.params, model.size)
  const result = model.train(global, data, input.train)
  if (input.clipNorm === undefined) return { global, ...result }
  const delta = result.params.map((x, k) => x - global[k]!)
  const { vector } = clipToNorm(delta, input.clipNorm)
  return { global, ...result, params: global.map((x, k) => x + vector[k]!) }
}

/** One secure-aggregation round as the trainer lives it: its secret state and its answers so far. */
interface Session {
  state: SecAggTrainerState
  answers: Map<string, unknown>
}

const stale = (op: string) =>
  new MeshError('FL_SECAGG_INVALID', `No secure-aggregation round to "${op}" in: keys come first`)

/**
 * Defines a federated-learning trainer: an agent serving `fl.train` at no price (the job's escrow
 * pays each accepted update), training the job's model on `data` and answering the node's steps —
 * plain training, or the four steps of secure aggregation, where only a masked update leaves the
 * trainer. An answer repeated for a retried step is the same answer. Connect it with `connect`.
 */
export function defineTrainer(definition: TrainerDefinition): FlAgent {
  const load = dataLoader(definition.data)
  const sessions = new RecentRounds<Session>()
  const handle = async (input: FlTrainInput, self: string): Promise<unknown> => {
    const context = `${input.job}/${input.round}`
    if (input.op === 'train') {
      const { params, examples, loss } = localUpdate(definition, input, await load())
      return { params: encodeParams(params), examples, loss } satisfies FlTrainOutput
    }
    const session = sessions.get(context)
    const answered = session?.answers.get(input.op)
    if (answered !== undefined) return answered
    let answer: unknown
    switch (input.op) {
      case 'secagg-advertise': {
        const config = input.config as unknown as SecAggConfig
        if (config.context !== context)
          throw new MeshError('FL_SECAGG_INVALID', 'The round is not named by its job')
        const { state, message } = advertiseKeys(config, self)
        sessions.set(context, { state, answers: new Map() })
        answer = message
        break
      }
      case 'secagg-share': {
        if (!session) throw stale(input.op)
        const ads = input.advertisements as unknown as KeyAdvertisement[]
        const { state, message } = await shareKeys(session.state, ads)
        session.state = state
        answer = message
        break
      }
      case 'secagg-mask': {
        if (!session) throw stale(input.op)
        const { global, params } = localUpdate(definition, input, await load())
        const delta = params.map((x, k) => x - global[k]!)
        const shares = input.shares as unknown as EncryptedShare[]
        const { state, message } = maskInput(session.state, shares, delta)
        session.state = state
        answer = message
        break
      }
      case 'secagg-reveal': {
        if (!session) throw stale(input.op)
        answer = revealShares(session.state, input.request)
        break
      }
    }
    sessions.get(context)!.answers.set(input.op, answer)
    return answer
  }
  const agent: FlAgent = new FlAgent({
    name: definition.name,
    description: definition.description ?? 'Trains federated-learning models on its own data',
    concurrency: definition.concurrency ?? 4,
    capabilities: [
      {
        id: definition.capability ?? FL_TRAIN,
        description: 'Trains a job’s global model on private data; secure aggregation supported',
        tags: ['fl', 'training'],
        input: stepSchema([
          'train',
          'secagg-advertise',
          'secagg-share',
          'secagg-mask',
          'secagg-reveal',
        ]),
        output: { type: 'object' },
        pricing: { model: 'per_call', amount: '0', currency: definition.currency ?? 'USD' },
        sla: { timeoutMs: 600_000 },
        handler: (input: FlTrainInput) => handle(input, agent.key.did),
      },
    ],
  })
  return agent
}

/** The input schema of a step capability: a known `op`, the job and the round. */
export function stepSchema(ops: string[]) {
  return {
    type: 'object',
    required: ['op', 'job', 'round'],
    properties: {
      op: { enum: ops },
      job: { type: 'string', maxLength: 100 },
      round: { type: 'integer', minimum: 1, maximum: 100 },
    },
  }
}
