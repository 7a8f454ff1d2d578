import { createModel, type Dataset, type Model, type ModelSpec } from '@agentmesh/fl'
import { MeshError, type KeyPair } from '@agentmesh/protocol'
import { Agent, type ConnectOptions } from './define-agent.js'
import type { NodeUrlList } from './node-urls.js'
import { SdkError } from './sdk-error.js'

/** Where a trainer's or validator's examples come from: the data set, or a function loading it. */
export type DataSource = Dataset | (() => Dataset | Promise<Dataset>)

/** Builds the model a job names; `createModel` from `@agentmesh/fl` unless another plugs in. */
export type ModelFactory = (spec: ModelSpec) => Model

/**
 * An agent that knows its own key once connected: a trainer names itself in secure aggregation,
 * a validator signs certificates with it.
 */
export class FlAgent extends Agent {
  #key: KeyPair | undefined

  override connect(urls: NodeUrlList, options: ConnectOptions): Promise<void> {
    this.#key = options.key
    return super.connect(urls, options)
  }

  /** The key the agent connected with. */
  get key(): KeyPair {
    if (!this.#key) throw new SdkError('BAD_OPTIONS', 'The agent has not connected yet')
    return this.#key
  }
}

/** Loads the data once, on first use; a load that fails is tried again next time. */
export function dataLoader(source: DataSource): () => Promise<Dataset> {
  let loading: Promise<Dataset> | undefined
  return () => {
    loading ??= Promise.resolve(typeof source === 'function' ? source() : source)
    loading.catch(() => (loading = undefined))
    return loading
  }
}

/** The most parameters a trainer or validator takes on: a job's model is the node's to choose. */
const MAX_PARAMS = 1_000_000

/** The job's model, checked to fit the data (the same inputs and classes) and to be of a sane size. */
export function modelFor(factory: ModelFactory | undefined, spec: ModelSpec, data: Dataset): Model {
  const model = (factory ?? createModel)(spec)
  if (model.size > MAX_PARAMS) {
    throw new MeshError(
      'INVALID_INPUT',
      `A model of ${model.size} parameters is more than ${MAX_PARAMS}`,
    )
  }
  if (model.spec.inputs !== data.inputs || model.spec.classes !== data.classes) {
    throw new MeshError(
      'INVALID_INPUT',
      `The job's model takes ${model.spec.inputs} inputs and ${model.spec.classes} classes; the data has ${data.inputs} and ${data.classes}`,
    )
  }
  return model
}

/** A bounded map, oldest entry dropped first: what an agent remembers of recent rounds. */
export class RecentRounds<V> {
  readonly #entries = new Map<string, V>()
  readonly #max: number

  constructor(max = 64) {
    this.#max = max
  }

  get(key: string): V | undefined {
    return this.#entries.get(key)
  }

  set(key: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!)
  }
}
