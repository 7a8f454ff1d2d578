import type { SandboxFailureCode, SandboxLimits, SandboxUsage } from '../../core/ports/sandbox.js'

/**
 * The messages between the node's thread and a sandbox worker. Each call has an id and a slot of
 * the worker's shared control block (see {@link ControlBlock}); the guest's output and inputs travel
 * as JSON text, so nothing but data crosses.
 */

/** What a worker is asked to do: run one capability, or load a module and list its capabilities. */
export interface GuestJob {
  id: number
  slot: number
  mode: 'run' | 'inspect'
  code: string
  capabilityId: string
  inputJson: string
  paramsJson: string
  limits: SandboxLimits
  maxJobs: number
  maxOutputBytes: number
}

/** A host function the guest called, answered by {@link HostReply}. */
export type HostRequest =
  | { op: 'call'; capabilityId: string; inputJson: string; maxPrice?: string }
  | {
      op: 'fetch'
      url: string
      init: { method?: string; headers?: Record<string, string>; body?: string }
    }

/** How a guest job ended, as the worker reports it. */
export type GuestResult =
  | { ok: true; outputJson: string; usage: SandboxUsage }
  | { ok: false; code: SandboxFailureCode; message: string; usage: SandboxUsage }

export type ToWorker =
  | { type: 'job'; job: GuestJob }
  | { type: 'host-reply'; id: number; requestId: number; ok: true; valueJson: string }
  | { type: 'host-reply'; id: number; requestId: number; ok: false; message: string; code?: string }
  | { type: 'abort'; id: number }

export type FromWorker =
  | { type: 'ready' }
  | { type: 'host'; id: number; requestId: number; request: HostRequest }
  | { type: 'progress'; id: number; progress?: number; message?: string }
  | { type: 'log'; id: number; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'done'; id: number; result: GuestResult }
