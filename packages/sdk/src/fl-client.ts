import type { FlJobEvent, FlJobSpec, FlJobState, FlJobView, FlModelView } from '@agentmesh/protocol'
import type { StreamEvent } from './mesh-streams.js'
import { SdkError } from './sdk-error.js'

/** What this client needs of a `Mesh`: its requests and its streams. */
interface MeshLike {
  request<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | boolean | undefined>,
  ): Promise<T>
  stream(path: string, options?: { signal?: AbortSignal }): AsyncGenerator<StreamEvent>
}

/** One event of a job's stream: its `snapshot` first, then round and job events. */
export type FlStreamEvent =
  | { event: 'snapshot'; data: FlJobView }
  | { event: 'round'; data: Extract<FlJobEvent, { type: 'round' }> }
  | { event: 'job'; data: Extract<FlJobEvent, { type: 'job' }> }

const path = (id: string, tail = '') => `/v1/fl/jobs/${encodeURIComponent(id)}${tail}`

/** Federated-learning jobs (`/v1/fl/jobs`): start one, follow it, read its model. */
export class FlJobs {
  readonly #mesh: MeshLike

  constructor(mesh: MeshLike) {
    this.#mesh = mesh
  }

  /** Starts a job; its budget is escrowed from the caller's account at once. */
  create(spec: FlJobSpec): Promise<FlJobView> {
    return this.#mesh.request('POST', '/v1/fl/jobs', spec)
  }

  /** A job with its rounds, metrics, contributions, payouts and certificates. */
  get(id: string): Promise<FlJobView> {
    return this.#mesh.request('GET', path(id))
  }

  /** Your jobs, newest first, without their rounds. */
  async list(options: { state?: FlJobState; limit?: number } = {}): Promise<FlJobView[]> {
    const page = await this.#mesh.request<{ jobs: FlJobView[] }>('GET', '/v1/fl/jobs', undefined, {
      state: options.state,
      limit: options.limit,
    })
    return page.jobs
  }

  /** The job's model in force (base64 parameters; `decodeParams` from `@agentmesh/fl` reads them). */
  model(id: string): Promise<FlModelView> {
    return this.#mesh.request('GET', path(id, '/model'))
  }

  /** Stops a running job after its current step; the rest of its budget goes back. */
  cancel(id: string): Promise<FlJobView> {
    return this.#mesh.request('POST', path(id, '/cancel'))
  }

  /** Follows a job: a snapshot, then each round's moves, until the job ends. */
  async *events(id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<FlStreamEvent> {
    for await (const event of this.#mesh.stream(path(id, '/events'), options)) {
      yield event as FlStreamEvent
    }
  }

  /**
   * Starts a job and follows it to its end, calling `onEvent` for each event; answers the ended
   * job (one that ended `failed` too, its `error` set). Throws the node's error when the job cannot
   * start, and `SdkError` `NETWORK` when the stream ends before the job.
   */
  async run(
    spec: FlJobSpec,
    options: { onEvent?: (event: FlStreamEvent) => void; signal?: AbortSignal } = {},
  ): Promise<FlJobView> {
    const started = await this.create(spec)
    options.onEvent?.({ event: 'snapshot', data: started })
    for await (const event of this.events(started.id, options)) options.onEvent?.(event)
    const ended = await this.get(started.id)
    if (ended.state === 'running' && !options.signal?.aborted) {
      throw new SdkError('NETWORK', `The event stream of job "${ended.id}" ended before the job`)
    }
    return ended
  }
}
