import { Worker } from 'node:worker_threads'
import type { SandboxHost } from '../../core/ports/sandbox.js'
import { ControlBlock } from './control-block.js'
import type {
  FromWorker,
  GuestJob,
  GuestResult,
  HostRequest,
  ToWorker,
} from './sandbox-messages.js'

interface ActiveCall {
  slot: number
  host: SandboxHost
  startedAt: number
  watchdog: NodeJS.Timeout
  resolve(result: GuestResult): void
  release(): void
}

/** How a sandbox thread is started. */
export interface SandboxThreadOptions {
  url: URL
  /** Calls it holds at once (most of them waiting on the node). */
  slots: number
  /** How long past a call's wall limit the worker may stay silent before it is killed. */
  graceMs: number
  /** Told once when the worker dies (killed, crashed or stopped), to replace it. */
  onDeath(thread: SandboxThread): void
}

/**
 * One worker thread of the sandbox pool, seen from the node: it relays the guests' host calls to
 * their `SandboxHost`, and its watchdog kills the worker when a call outlives its wall limit by
 * the grace (a guest stuck in native code the interrupt handler never sees): every call on it
 * then ends `SANDBOX_CRASHED`, billed what the worker last recorded.
 */
export class SandboxThread {
  readonly ready: Promise<void>
  readonly #worker: Worker
  readonly #control: ControlBlock
  readonly #options: SandboxThreadOptions
  readonly #calls = new Map<number, ActiveCall>()
  readonly #freeSlots: number[]
  #nextId = 0
  #dead = false

  constructor(options: SandboxThreadOptions) {
    this.#options = options
    this.#control = new ControlBlock(options.slots)
    this.#freeSlots = Array.from({ length: options.slots }, (_, i) => i)
    this.#worker = new Worker(options.url, {
      workerData: this.#control.buffer,
      resourceLimits: { maxOldGenerationSizeMb: 128, stackSizeMb: 8 },
    })
    this.ready = new Promise((resolve, reject) => {
      const onReady = (message: FromWorker) => {
        if (message.type !== 'ready') return
        this.#worker.off('message', onReady)
        resolve()
      }
      this.#worker.on('message', onReady)
      this.#worker.once('error', reject)
      this.#worker.once('exit', (code) =>
        reject(new Error(`The sandbox worker exited with code ${code}`)),
      )
    })
    this.ready.catch(() => undefined)
    this.#worker.on('message', (message: FromWorker) => this.#receive(message))
    this.#worker.on('error', (error) => this.#die(`The sandbox worker failed: ${error.message}`))
    this.#worker.on('exit', () => this.#die('The sandbox worker exited'))
  }

  /** Calls it runs now. */
  get load(): number {
    return this.#calls.size
  }

  get hasRoom(): boolean {
    return !this.#dead && this.#freeSlots.length > 0
  }

  /** Runs one job; the caller checked {@link hasRoom}. Never rejects. */
  run(
    job: Omit<GuestJob, 'id' | 'slot'>,
    host: SandboxHost,
    signal: AbortSignal,
  ): Promise<GuestResult> {
    const slot = this.#freeSlots.pop()!
    const id = ++this.#nextId
    this.#control.reset(slot)
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#control.abort(slot)
        this.#post({ type: 'abort', id })
      }
      const call: ActiveCall = {
        slot,
        host,
        startedAt: performance.now(),
        watchdog: setTimeout(
          () => void this.kill('The sandbox worker stopped answering and was replaced'),
          job.limits.wallMs + this.#options.graceMs,
        ),
        resolve,
        release: () => {
          clearTimeout(call.watchdog)
          signal.removeEventListener('abort', onAbort)
          this.#calls.delete(id)
          this.#freeSlots.push(slot)
        },
      }
      this.#calls.set(id, call)
      signal.addEventListener('abort', onAbort, { once: true })
      this.#post({ type: 'job', job: { ...job, id, slot } })
    })
  }

  /** Ends the worker: its calls end `SANDBOX_CRASHED` with `message`. */
  async kill(message: string): Promise<void> {
    this.#die(message)
    await this.#worker.terminate()
  }

  #receive(message: FromWorker): void {
    if (message.type === 'ready') return
    const call = this.#calls.get(message.id)
    if (call === undefined) return
    switch (message.type) {
      case 'done':
        call.release()
        call.resolve(message.result)
        break
      case 'progress':
        call.host.progress(message.progress, message.message)
        break
      case 'log':
        call.host.log(message.level, message.message)
        break
      case 'host':
        this.#relay(message.id, message.requestId, call.host, message.request)
        break
    }
  }

  #relay(id: number, requestId: number, host: SandboxHost, request: HostRequest): void {
    const answer = Promise.resolve().then(() =>
      request.op === 'call'
        ? host.call(request.capabilityId, JSON.parse(request.inputJson), {
            ...(request.maxPrice === undefined ? {} : { maxPrice: request.maxPrice }),
          })
        : host.fetch(request.url, fetchInit(request.init)),
    )
    answer.then(
      (value) =>
        this.#post({
          type: 'host-reply',
          id,
          requestId,
          ok: true,
          valueJson: JSON.stringify(value ?? null),
        }),
      (error: unknown) => {
        const code = (error as { code?: unknown } | null)?.code
        this.#post({
          type: 'host-reply',
          id,
          requestId,
          ok: false,
          message: error instanceof Error ? error.message : String(error),
          ...(typeof code === 'string' ? { code } : {}),
        })
      },
    )
  }

  #post(message: ToWorker): void {
    if (!this.#dead) this.#worker.postMessage(message)
  }

  #die(message: string): void {
    if (this.#dead) return
    this.#dead = true
    for (const call of [...this.#calls.values()]) {
      const recorded = this.#control.recorded(call.slot)
      const wallMs = Math.round(performance.now() - call.startedAt)
      call.release()
      call.resolve({
        ok: false,
        code: 'SANDBOX_CRASHED',
        message,
        usage: {
          cpuMs: Math.max(recorded.cpuMs, 0),
          wallMs,
          peakMemoryBytes: recorded.memoryBytes,
        },
      })
    }
    this.#options.onDeath(this)
  }
}

/** Only the string fields of a guest's `fetch` options reach the node. */
function fetchInit(init: { method?: unknown; headers?: unknown; body?: unknown }): {
  method?: string
  headers?: Record<string, string>
  body?: string
} {
  const headers: Record<string, string> = {}
  if (init.headers !== null && typeof init.headers === 'object') {
    for (const [k, v] of Object.entries(init.headers)) if (typeof v === 'string') headers[k] = v
  }
  return {
    ...(typeof init.method === 'string' ? { method: init.method } : {}),
    headers,
    ...(typeof init.body === 'string' ? { body: init.body } : {}),
  }
}
