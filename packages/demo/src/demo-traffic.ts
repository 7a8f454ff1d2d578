import { MeshError } from '@agentmesh/protocol'
import { Mesh, type KeyPair, type TaskView } from '@agentmesh/sdk'
import { demoPipeline } from './demo-pipeline.js'
import { articles, conversions, expression, reviews, sentences } from './sample-inputs.js'

/** Where the demo reports what went wrong (the node passes its own logger). */
export interface DemoLogger {
  debug(fields: object, message: string): void
}

/** One unit of demo work: a task, or a run of the demo pipeline. */
export type DemoJob =
  | {
      kind: 'task'
      capability: string
      input: unknown
      maxPrice: string
      /** In a hurry: find a provider this fast first, and send the task to it. */
      maxLatencyMs?: number
    }
  | { kind: 'pipeline'; input: { text: string } }

export interface DemoTrafficOptions {
  url: string
  /** The demo client's key: it signs in again when its session expires. */
  key: KeyPair
  /** Tops the client up when it runs short (from the node's own account). */
  fund: () => Promise<void>
  logger: DemoLogger
  /** Mean time between jobs; each gap is drawn from half to one and a half times it. */
  intervalMs: number
  /** Jobs at once, at most; a tick finding this many in flight skips. */
  maxInFlight: number
  random: () => number
}

/** The refusals a new sign-in cures: the session is gone or was never there. */
const SIGN_IN_AGAIN: ReadonlySet<string> = new Set([
  'TOKEN_EXPIRED',
  'TOKEN_INVALID',
  'UNAUTHENTICATED',
])

const pick = <T>(items: readonly T[], random: () => number): T =>
  items[Math.floor(random() * items.length)]!

/**
 * The next demo job, mixed like real traffic: mostly single tasks across every capability, a
 * pipeline run now and then. Half the sentiment tasks are in a hurry (a provider under 200 ms,
 * whatever it costs), half on a budget (a ceiling below the fast provider's price), so both
 * sentiment providers get work.
 */
export function nextJob(random: () => number): DemoJob {
  const roll = random()
  if (roll < 0.25) {
    const input = { text: pick(reviews, random) }
    return random() < 0.5
      ? { kind: 'task', capability: 'text.sentiment', input, maxPrice: '0.005', maxLatencyMs: 200 }
      : { kind: 'task', capability: 'text.sentiment', input, maxPrice: '0.001' }
  }
  if (roll < 0.4) {
    const text = pick(sentences, random)
    return { kind: 'task', capability: 'text.language', input: { text }, maxPrice: '0.002' }
  }
  if (roll < 0.5) {
    const text = pick(articles, random)
    return { kind: 'task', capability: 'text.keywords', input: { text }, maxPrice: '0.002' }
  }
  if (roll < 0.58) {
    const text = pick(articles, random)
    return { kind: 'task', capability: 'text.summary', input: { text }, maxPrice: '0.005' }
  }
  if (roll < 0.74) {
    const input = { expression: expression(random) }
    return { kind: 'task', capability: 'math.evaluate', input, maxPrice: '0.001' }
  }
  if (roll < 0.9) {
    const input = pick(conversions, random)
    return { kind: 'task', capability: 'units.convert', input, maxPrice: '0.001' }
  }
  return { kind: 'pipeline', input: { text: pick(articles, random) } }
}

/**
 * A light, steady flow of demo tasks from one client with credit, so a fresh node has something
 * to show: a job every `intervalMs` or so, and now and then a rating of a settled task.
 */
export class DemoTraffic {
  readonly #options: DemoTrafficOptions
  readonly #inFlight = new Set<Promise<void>>()
  #client: Promise<Mesh> | undefined
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  constructor(options: DemoTrafficOptions) {
    this.#options = options
  }

  /** The client's DID. */
  get did(): string {
    return this.#options.key.did
  }

  /** Signs the client in and starts the flow with a first job at once. */
  async start(): Promise<void> {
    await this.#mesh()
    this.#tick()
  }

  #tick(): void {
    if (this.#stopped) return
    if (this.#inFlight.size < this.#options.maxInFlight) {
      const job = this.#run(nextJob(this.#options.random)).catch((error: unknown) => {
        if (!this.#stopped) this.#options.logger.debug({ err: error }, 'demo job failed')
      })
      const tracked = job.finally(() => this.#inFlight.delete(tracked))
      this.#inFlight.add(tracked)
    }
    const gapMs = this.#options.intervalMs * (0.5 + this.#options.random())
    this.#timer = setTimeout(() => this.#tick(), gapMs)
  }

  async #run(job: DemoJob): Promise<void> {
    if (job.kind === 'pipeline') {
      await this.#withClient((mesh) => mesh.runPipeline(demoPipeline, job.input, { wait: 20_000 }))
      return
    }
    const { maxLatencyMs } = job
    const fastest =
      maxLatencyMs === undefined
        ? undefined
        : await this.#withClient((mesh) =>
            mesh.search('', {
              capability: job.capability,
              maxPrice: job.maxPrice,
              maxLatencyMs,
              online: true,
              limit: 1,
            }),
          )
    const agentId = fastest?.results[0]?.agentId
    const task = await this.#withClient((mesh) =>
      mesh.submit(job.capability, job.input, {
        maxPrice: job.maxPrice,
        timeoutMs: 10_000,
        wait: 11_000,
        ...(agentId === undefined ? {} : { agentId }),
      }),
    )
    if (task.state === 'completed' && this.#options.random() < 0.25) await this.#rate(task)
  }

  /** Rates a settled task: quick answers get more stars. */
  async #rate(task: TaskView): Promise<void> {
    const elapsedMs = Date.parse(task.updatedAt) - Date.parse(task.createdAt)
    const roll = this.#options.random()
    const stars = elapsedMs < 300 ? (roll < 0.7 ? 5 : 4) : roll < 0.5 ? 4 : 3
    await this.#withClient((mesh) =>
      mesh.request('POST', `/v1/tasks/${encodeURIComponent(task.id)}/rating`, { stars }),
    )
  }

  /** Runs a call; signs in again after an expired session, tops up after a refusal for funds. */
  async #withClient<T>(call: (mesh: Mesh) => Promise<T>): Promise<T> {
    try {
      return await call(await this.#mesh())
    } catch (error) {
      if (this.#stopped || !(error instanceof MeshError)) throw error
      if (SIGN_IN_AGAIN.has(error.code)) this.#client = undefined
      else if (error.code === 'INSUFFICIENT_FUNDS') await this.#options.fund()
      else throw error
      return call(await this.#mesh())
    }
  }

  #mesh(): Promise<Mesh> {
    if (!this.#client) {
      const client = Mesh.connect(this.#options.url, { key: this.#options.key, roles: ['client'] })
      // A failed sign-in is tried again on the next job.
      client.catch(() => {
        if (this.#client === client) this.#client = undefined
      })
      this.#client = client
    }
    return this.#client
  }

  /** Stops the flow: no new jobs; waits for the ones in flight, then ends the session. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await Promise.all(this.#inFlight)
    const client = await this.#client?.catch(() => undefined)
    await client?.close()
  }
}
