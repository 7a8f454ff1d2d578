/**
 * Runs code the node does not trust: a hosted agent's module, one capability call at a time,
 * under hard limits. The guest module is one JavaScript file (ES module) written against the
 * SDK's `defineAgent`: `import { defineAgent } from '@agentmesh/sdk'` resolves inside the sandbox
 * to a shim, and the module's default export is what `defineAgent` returned.
 */

/** Hard limits of one call (and of loading a module). */
export interface SandboxLimits {
  /** The most memory the guest's heap may reach (its own WebAssembly memory's maximum). */
  memoryBytes: number
  /** CPU time the guest may spend in one call (interrupt-handler deadline). */
  cpuMs: number
  /** Wall time of one call, host calls (`ctx.call`, `fetch`) included. */
  wallMs: number
  /** The guest's stack. */
  stackBytes: number
}

/** What one call used, billed whether the call succeeded or not. */
export interface SandboxUsage {
  cpuMs: number
  wallMs: number
  /** The highest the guest's memory reached during the call. */
  peakMemoryBytes: number
}

/** Why a call did not produce an output; each is an error code of the catalogue. */
export type SandboxFailureCode =
  | 'SANDBOX_CPU_LIMIT'
  | 'SANDBOX_MEMORY_LIMIT'
  | 'SANDBOX_WALL_LIMIT'
  | 'SANDBOX_STACK_LIMIT'
  | 'SANDBOX_JOB_LIMIT'
  /** The guest threw, returned something that is not JSON, or has no such capability. */
  | 'SANDBOX_GUEST_ERROR'
  /** The worker running it stopped answering and was replaced. */
  | 'SANDBOX_CRASHED'

/** The result of one call. */
export type SandboxOutcome =
  | { ok: true; output: unknown; usage: SandboxUsage }
  | { ok: false; code: SandboxFailureCode; message: string; usage: SandboxUsage }

/**
 * What the guest can reach of the world: nothing but these. `call` and `fetch` are checked by the
 * node (the task's budget, the card's declared hosts, the guarded outbound client) before
 * anything leaves; a refusal reaches the guest as a thrown error.
 */
export interface SandboxHost {
  progress(progress?: number, message?: string): void
  call(capabilityId: string, input: unknown, options: { maxPrice?: string }): Promise<unknown>
  fetch(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<{ status: number; headers: Record<string, string>; body: string }>
  /** A line the guest logged (`console.log`); the node keeps a capped tail per hosted agent. */
  log(level: 'info' | 'warn' | 'error', message: string): void
}

/** One call: which module (by content hash, with its code), which capability, with what. */
export interface SandboxCall {
  codeHash: string
  code: string
  capabilityId: string
  input: unknown
  /** The deployer's parameters, read by the guest as `ctx.params`. */
  params: Record<string, unknown>
  limits: SandboxLimits
  /** Aborting cancels the call; it then ends as `SANDBOX_WALL_LIMIT`-like with its usage. */
  signal: AbortSignal
}

/** The capabilities a module defines, as loading it found them. */
export interface SandboxModuleInfo {
  capabilityIds: string[]
}

/** The sandbox engine: a pool of isolated guests, each call within its limits. */
export interface Sandbox {
  /**
   * Loads a module once, under `limits`, and answers what it defines; refuses (throws a
   * MeshError `SANDBOX_GUEST_ERROR` or a limit code) a module that does not load.
   */
  inspect(code: string, limits: SandboxLimits): Promise<SandboxModuleInfo>
  /** Runs one capability call. Never throws for the guest's failures: they are outcomes. */
  run(call: SandboxCall, host: SandboxHost): Promise<SandboxOutcome>
  /** Ends every worker; calls in progress end as `SANDBOX_CRASHED`. */
  stop(): Promise<void>
}
