import variantModule from '@jitl/quickjs-wasmfile-release-sync'
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSDeferredPromise,
  type QuickJSHandle,
} from 'quickjs-emscripten-core'
import type { ControlBlock } from './control-block.js'
import {
  engineFailure,
  GuestFailure,
  guestErrorFailure,
  stopFailure,
  type StopReason,
} from './guest-failure.js'
import { GUEST_PRELUDE, SDK_SHIM } from './guest-prelude.js'
import type { FromWorker, GuestJob, GuestResult, HostRequest } from './sandbox-messages.js'
import { newWasmMemory, type WasmMemory, type WasmModule } from './wasm.js'

/** Imported as ESM the variant is the default export; its CommonJS typings wrap it once more. */
function unwrapDefault<T extends object>(m: T | { default: T }): T {
  return 'default' in m ? m.default : m
}
const variant = unwrapDefault(variantModule)

type ContextResult = ReturnType<QuickJSContext['evalCode']>

const PAGE_BYTES = 65_536
/** The pages the QuickJS image itself asks for: no memory maximum can be below this. */
const BASE_PAGES = 256
const JOB_BATCH = 256
const HOST_CALLS_IN_FLIGHT = 16
/** Progress reports and log lines one call may send; past these they are dropped. */
const MESSAGES_PER_CALL = 200
const LOG_LINE_CHARS = 2000

/** What a guest run needs of its worker. */
export interface GuestEnvironment {
  wasm: WasmModule
  control: ControlBlock
  /** CPU time one interrupt tick stands for, measured when the worker started. */
  msPerTick: number
  send(message: FromWorker): void
}

/**
 * One call of a guest, on a QuickJS instance of its own: a fresh WebAssembly memory whose maximum
 * is the call's memory limit (QuickJS's own limit does not cover every allocation), so nothing of
 * one call or tenant survives into the next. The instance is dropped afterwards, whatever happened.
 */
export class GuestRun {
  readonly #job: GuestJob
  readonly #env: GuestEnvironment
  readonly #memory: WasmMemory
  readonly #maxBytes: number
  readonly #startedAt = performance.now()
  readonly #wallDeadline: number
  readonly #pending = new Map<number, QuickJSDeferredPromise>()
  #context: QuickJSContext | undefined
  /** Time spent in guest code; preemption by other threads counts in it. */
  #inGuestMs = 0
  /** When the guest code running now was entered; undefined when none runs. */
  #segmentStart: number | undefined
  /** Interrupt ticks: QuickJS calls the handler every so many operations, a load-free fuel. */
  #ticks = 0
  #jobs = 0
  #messages = 0
  #nextRequest = 0
  #stop: StopReason | undefined
  #wake: (() => void) | undefined
  #done = false

  constructor(job: GuestJob, env: GuestEnvironment) {
    this.#job = job
    this.#env = env
    const maximum = Math.max(BASE_PAGES, Math.floor(job.limits.memoryBytes / PAGE_BYTES))
    this.#maxBytes = maximum * PAGE_BYTES
    this.#memory = newWasmMemory(BASE_PAGES, maximum)
    this.#wallDeadline = this.#startedAt + job.limits.wallMs
  }

  /** Time per interrupt tick this run saw in guest code (for calibration). */
  get msPerTickSeen(): number {
    return this.#inGuestMs / Math.max(1, this.#ticks)
  }

  /** Runs the job to its end; never throws. */
  async result(): Promise<GuestResult> {
    try {
      const outputJson = await this.#execute()
      return { ok: true, outputJson, usage: this.#usage() }
    } catch (error) {
      const failure =
        error instanceof GuestFailure
          ? error
          : this.#stop !== undefined
            ? stopFailure(this.#stop)
            : engineFailure(error, this.#memoryFull())
      return { ok: false, code: failure.code, message: failure.message, usage: this.#usage() }
    } finally {
      this.#done = true
      this.#pending.clear()
      this.#wake?.()
    }
  }

  /** An answer of the node to a host function the guest called. */
  settle(
    requestId: number,
    reply: { ok: true; valueJson: string } | { ok: false; message: string; code?: string },
  ): void {
    const deferred = this.#pending.get(requestId)
    const context = this.#context
    if (deferred === undefined || context === undefined || this.#done) return
    this.#pending.delete(requestId)
    try {
      this.#enter(() => {
        if (reply.ok) context.newString(reply.valueJson).consume((v) => deferred.resolve(v))
        else {
          context.newError(reply.message).consume((e) => {
            if (reply.code !== undefined)
              context.newString(reply.code).consume((c) => context.setProp(e, 'code', c))
            deferred.reject(e)
          })
        }
      })
    } finally {
      this.#wake?.()
    }
  }

  /** The node canceled the call (its flag is set in the control block): stop waiting. */
  abort(): void {
    this.#wake?.()
  }

  async #execute(): Promise<string> {
    const { limits, code, mode, capabilityId, inputJson, paramsJson } = this.#job
    const quickjs = await newQuickJSWASMModuleFromVariant(
      newVariant(variant, { wasmModule: this.#env.wasm, wasmMemory: this.#memory }),
    )
    const runtime = quickjs.newRuntime()
    runtime.setMemoryLimit(this.#maxBytes)
    runtime.setMaxStackSize(limits.stackBytes)
    runtime.setInterruptHandler(() => this.#interrupt())
    runtime.setModuleLoader((name) =>
      name === '@agentmesh/sdk'
        ? SDK_SHIM
        : { error: new Error(`No module "${name}" in the sandbox`) },
    )
    const context = runtime.newContext()
    this.#context = context
    const prelude = this.#unwrap(
      this.#enter(() => context.evalCode(GUEST_PRELUDE, 'prelude.js', { type: 'global' })),
    )
    const hostFunctions = this.#hostFunctions(context)
    const run = this.#unwrap(
      this.#enter(() => context.callFunction(prelude, context.undefined, hostFunctions)),
    )
    const exports = await this.#settle(
      this.#unwrap(this.#enter(() => context.evalCode(code, 'agent.js', { type: 'module' }))),
    )
    const definition = context.getProp(exports, 'default')
    const args = [mode, capabilityId, inputJson, paramsJson].map((s) => context.newString(s))
    const output = await this.#settle(
      this.#unwrap(
        this.#enter(() => context.callFunction(run, context.undefined, definition, ...args)),
      ),
    )
    if (context.typeof(output) !== 'string') {
      throw new GuestFailure('SANDBOX_GUEST_ERROR', 'The handler returned nothing JSON can carry')
    }
    const text = context.getString(output)
    if (text.length > this.#job.maxOutputBytes) {
      throw new GuestFailure(
        'SANDBOX_GUEST_ERROR',
        `The output is larger than ${this.#job.maxOutputBytes} bytes`,
      )
    }
    return text
  }

  #hostFunctions(context: QuickJSContext): QuickJSHandle[] {
    const text = (h: QuickJSHandle | undefined) =>
      h !== undefined && context.typeof(h) === 'string' ? context.getString(h) : undefined
    const call = context.newFunction('call', (id, input, maxPrice) => {
      const price = text(maxPrice)
      return this.#request({
        op: 'call',
        capabilityId: text(id) ?? '',
        inputJson: text(input) ?? 'null',
        ...(price === undefined ? {} : { maxPrice: price }),
      })
    })
    const fetch = context.newFunction('fetch', (request) => {
      const { url, ...init } = JSON.parse(text(request) ?? '{}') as { url: string } & Record<
        string,
        never
      >
      return this.#request({ op: 'fetch', url, init })
    })
    const progress = context.newFunction('progress', (fraction, message) => {
      if (!this.#countMessage()) return
      const value =
        fraction !== undefined && context.typeof(fraction) === 'number'
          ? context.getNumber(fraction)
          : undefined
      const note = text(message)?.slice(0, LOG_LINE_CHARS)
      this.#env.send({
        type: 'progress',
        id: this.#job.id,
        ...(value === undefined || Number.isNaN(value) ? {} : { progress: value }),
        ...(note === undefined ? {} : { message: note }),
      })
    })
    const log = context.newFunction('log', (level, line) => {
      if (!this.#countMessage()) return
      const l = text(level)
      this.#env.send({
        type: 'log',
        id: this.#job.id,
        level: l === 'warn' || l === 'error' ? l : 'info',
        message: (text(line) ?? '').slice(0, LOG_LINE_CHARS),
      })
    })
    return [call, fetch, progress, log]
  }

  #countMessage(): boolean {
    this.#messages++
    return this.#messages <= MESSAGES_PER_CALL
  }

  #request(request: HostRequest): QuickJSHandle {
    const context = this.#context!
    const deferred = context.newPromise()
    if (this.#pending.size >= HOST_CALLS_IN_FLIGHT) {
      context.newError('Too many host calls at once').consume((e) => deferred.reject(e))
      return deferred.handle
    }
    const requestId = ++this.#nextRequest
    this.#pending.set(requestId, deferred)
    this.#env.send({ type: 'host', id: this.#job.id, requestId, request })
    return deferred.handle
  }

  /** Runs jobs and waits on the node until `handle` (a promise or not) settles. */
  async #settle(handle: QuickJSHandle): Promise<QuickJSHandle> {
    const context = this.#context!
    for (;;) {
      this.#pump()
      const state = context.getPromiseState(handle)
      if (state.type === 'fulfilled') return state.value
      if (state.type === 'rejected') throw this.#guestFailure(context.dump(state.error))
      if (this.#pending.size === 0) {
        throw new GuestFailure(
          'SANDBOX_GUEST_ERROR',
          'The call awaits a promise that nothing will settle',
        )
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer)
          this.#wake = undefined
          resolve()
        }
        const timer = setTimeout(wake, Math.max(0, this.#wallDeadline - performance.now()))
        this.#wake = wake
      })
      this.#check()
    }
  }

  #pump(): void {
    const context = this.#context!
    const runtime = context.runtime
    while (runtime.hasPendingJob()) {
      this.#check()
      if (this.#jobs >= this.#job.maxJobs) this.#stop = 'jobs'
      this.#check()
      const result = this.#enter(() =>
        runtime.executePendingJobs(Math.min(JOB_BATCH, this.#job.maxJobs - this.#jobs)),
      )
      if (result.error) throw this.#guestFailure(context.dump(result.error))
      this.#jobs += result.value
    }
    this.#check()
  }

  #check(): void {
    if (this.#stop === undefined) {
      if (this.#env.control.aborted(this.#job.slot)) this.#stop = 'abort'
      else if (this.#cpuMs() > this.#job.limits.cpuMs) this.#stop = 'cpu'
      else if (performance.now() > this.#wallDeadline) this.#stop = 'wall'
    }
    if (this.#stop !== undefined) throw stopFailure(this.#stop)
  }

  #interrupt(): boolean {
    const now = performance.now()
    this.#ticks++
    const cpuMs = this.#cpuMs(now)
    this.#env.control.record(this.#job.slot, this.#memory.buffer.byteLength, cpuMs)
    if (this.#stop === undefined) {
      if (this.#env.control.aborted(this.#job.slot)) this.#stop = 'abort'
      else if (cpuMs > this.#job.limits.cpuMs) this.#stop = 'cpu'
      else if (now > this.#wallDeadline) this.#stop = 'wall'
    }
    return this.#stop !== undefined
  }

  #enter<T>(fn: () => T): T {
    const start = performance.now()
    this.#segmentStart = start
    try {
      return fn()
    } finally {
      this.#segmentStart = undefined
      this.#inGuestMs += performance.now() - start
      this.#env.control.record(this.#job.slot, this.#memory.buffer.byteLength, this.#cpuMs())
    }
  }

  /**
   * CPU time so far: the ticks' fuel (plus the tick under way), never more than the time spent in
   * guest code. Fuel keeps a busy machine from charging or stopping a guest for time it waited;
   * native work between ticks (a big copy, a sort) is bounded by the wall and memory limits.
   */
  #cpuMs(now = performance.now()): number {
    const running = this.#segmentStart === undefined ? 0 : now - this.#segmentStart
    return Math.min(this.#inGuestMs + running, (this.#ticks + 1) * this.#env.msPerTick)
  }

  #unwrap(result: ContextResult): QuickJSHandle {
    if (result.error) throw this.#guestFailure(this.#context!.dump(result.error))
    return result.value
  }

  #guestFailure(error: unknown): GuestFailure {
    if (this.#stop !== undefined) return stopFailure(this.#stop)
    // Out of memory, QuickJS may fail to build even the error: it throws null.
    if (
      (error === null || error === undefined) &&
      this.#memory.buffer.byteLength > this.#maxBytes * 0.9
    ) {
      return new GuestFailure('SANDBOX_MEMORY_LIMIT', 'The call ran out of memory')
    }
    return guestErrorFailure(error)
  }

  /** Whether the memory is within 1 MiB of its maximum. */
  #memoryFull(): boolean {
    return this.#memory.buffer.byteLength + 16 * PAGE_BYTES > this.#maxBytes
  }

  #usage() {
    const round = (ms: number) => Math.round(ms * 1000) / 1000
    return {
      cpuMs: round(this.#cpuMs()),
      wallMs: round(performance.now() - this.#startedAt),
      peakMemoryBytes: this.#memory.buffer.byteLength,
    }
  }
}
