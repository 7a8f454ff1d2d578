import type {
  Sandbox,
  SandboxCall,
  SandboxHost,
  SandboxLimits,
  SandboxModuleInfo,
  SandboxOutcome,
} from '../../core/ports/sandbox.js'

/**
 * A sandbox started on first use: a node that hosts no agent never starts the engine's worker
 * threads. A start that fails is tried again by the next call; stopping stops what started.
 */
export class LazySandbox implements Sandbox {
  readonly #start: () => Promise<Sandbox>
  #sandbox: Promise<Sandbox> | undefined
  #stopped = false

  constructor(start: () => Promise<Sandbox>) {
    this.#start = start
  }

  async inspect(code: string, limits: SandboxLimits): Promise<SandboxModuleInfo> {
    return (await this.#engine()).inspect(code, limits)
  }

  async run(call: SandboxCall, host: SandboxHost): Promise<SandboxOutcome> {
    return (await this.#engine()).run(call, host)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    const started = this.#sandbox
    this.#sandbox = undefined
    if (started) await (await started.catch(() => undefined))?.stop()
  }

  #engine(): Promise<Sandbox> {
    if (this.#stopped) return Promise.reject(new Error('The sandbox is stopped'))
    this.#sandbox ??= this.#start().catch((error: unknown) => {
      this.#sandbox = undefined
      throw error
    })
    return this.#sandbox
  }
}
