import { MeshError } from '@agentmesh/protocol'
import type {
  Sandbox,
  SandboxCall,
  SandboxHost,
  SandboxLimits,
  SandboxModuleInfo,
  SandboxOutcome,
} from '../../core/ports/sandbox.js'
import type { GuestJob, GuestResult } from './sandbox-messages.js'
import { SandboxThread } from './sandbox-thread.js'
import { sandboxWorkerUrl } from './sandbox-worker-url.js'

/** How the node sizes its sandbox. */
export interface QuickJsSandboxOptions {
  /** Worker threads (default 2). */
  workers?: number
  /** Calls one worker holds at once, most waiting on the node (default 8). */
  callsPerWorker?: number
  /** Silence past a call's wall limit after which its worker is killed (default 1000 ms). */
  graceMs?: number
  /** Promise jobs one call may run (default 100 000). */
  maxJobs?: number
  /** The largest output, as JSON text (default 1 MiB). */
  maxOutputBytes?: number
}

type Job = Omit<GuestJob, 'id' | 'slot'>

interface Waiting {
  job: Job
  host: SandboxHost
  signal: AbortSignal
  resolve(result: GuestResult): void
}

/**
 * Starts the sandbox: QuickJS compiled to WebAssembly, in a pool of worker threads, each call on
 * an instance of its own with its own bounded memory (see `GuestRun`). Resolves once every worker
 * has compiled the engine.
 */
export async function createQuickJsSandbox(options: QuickJsSandboxOptions = {}): Promise<Sandbox> {
  const sandbox = new QuickJsSandbox(options)
  try {
    await sandbox.started
  } catch (error) {
    await sandbox.stop()
    throw error
  }
  return sandbox
}

class QuickJsSandbox implements Sandbox {
  readonly started: Promise<void>
  readonly #threads: SandboxThread[] = []
  readonly #queue: Waiting[] = []
  readonly #options: Required<QuickJsSandboxOptions>
  readonly #url = sandboxWorkerUrl()
  #stopped = false

  constructor(options: QuickJsSandboxOptions) {
    this.#options = {
      workers: options.workers ?? 2,
      callsPerWorker: options.callsPerWorker ?? 8,
      graceMs: options.graceMs ?? 1000,
      maxJobs: options.maxJobs ?? 100_000,
      maxOutputBytes: options.maxOutputBytes ?? 1024 * 1024,
    }
    for (let i = 0; i < this.#options.workers; i++) this.#spawn()
    this.started = Promise.all(this.#threads.map((t) => t.ready)).then(() => undefined)
  }

  async inspect(code: string, limits: SandboxLimits): Promise<SandboxModuleInfo> {
    const result = await this.#submit(
      {
        ...this.#jobDefaults(),
        mode: 'inspect',
        code,
        capabilityId: '',
        inputJson: 'null',
        paramsJson: '{}',
        limits,
      },
      refusingHost,
      new AbortController().signal,
    )
    if (!result.ok) throw new MeshError(result.code, `The module does not load: ${result.message}`)
    return { capabilityIds: JSON.parse(result.outputJson) as string[] }
  }

  async run(call: SandboxCall, host: SandboxHost): Promise<SandboxOutcome> {
    const result = await this.#submit(
      {
        ...this.#jobDefaults(),
        mode: 'run',
        code: call.code,
        capabilityId: call.capabilityId,
        inputJson: JSON.stringify(call.input ?? null),
        paramsJson: JSON.stringify(call.params),
        limits: call.limits,
      },
      host,
      call.signal,
    )
    if (!result.ok) return result
    return { ok: true, output: JSON.parse(result.outputJson), usage: result.usage }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    for (const waiting of this.#queue.splice(0)) waiting.resolve(crashed('The sandbox is stopping'))
    await Promise.all([...this.#threads].map((t) => t.kill('The sandbox is stopping')))
  }

  #jobDefaults() {
    return { maxJobs: this.#options.maxJobs, maxOutputBytes: this.#options.maxOutputBytes }
  }

  #submit(job: Job, host: SandboxHost, signal: AbortSignal): Promise<GuestResult> {
    if (this.#stopped) return Promise.resolve(crashed('The sandbox is stopped'))
    if (signal.aborted) return Promise.resolve(canceled())
    return new Promise((resolve) => {
      const onAbort = () => {
        const at = this.#queue.indexOf(waiting)
        if (at >= 0) this.#queue.splice(at, 1)[0]!.resolve(canceled())
      }
      const waiting: Waiting = {
        job,
        host,
        signal,
        resolve: (result) => {
          signal.removeEventListener('abort', onAbort)
          resolve(result)
        },
      }
      this.#queue.push(waiting)
      signal.addEventListener('abort', onAbort, { once: true })
      this.#dispatch()
    })
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const free = this.#threads.filter((t) => t.hasRoom).sort((a, b) => a.load - b.load)[0]
      if (free === undefined) return
      const waiting = this.#queue.shift()!
      void free.run(waiting.job, waiting.host, waiting.signal).then((result) => {
        waiting.resolve(result)
        this.#dispatch()
      })
    }
  }

  #spawn(): void {
    const thread = new SandboxThread({
      url: this.#url,
      slots: this.#options.callsPerWorker,
      graceMs: this.#options.graceMs,
      onDeath: (dead) => {
        this.#threads.splice(this.#threads.indexOf(dead), 1)
        if (this.#stopped) return
        this.#spawn()
      },
    })
    this.#threads.push(thread)
    thread.ready.then(
      () => this.#dispatch(),
      () => undefined,
    )
  }
}

const refusingHost: SandboxHost = {
  progress: () => undefined,
  log: () => undefined,
  call: () => Promise.reject(new Error('No host calls while a module loads')),
  fetch: () => Promise.reject(new Error('No host calls while a module loads')),
}

const noUsage = { cpuMs: 0, wallMs: 0, peakMemoryBytes: 0 }

function crashed(message: string): GuestResult {
  return { ok: false, code: 'SANDBOX_CRASHED', message, usage: noUsage }
}

function canceled(): GuestResult {
  return { ok: false, code: 'SANDBOX_WALL_LIMIT', message: 'The call was canceled', usage: noUsage }
}
