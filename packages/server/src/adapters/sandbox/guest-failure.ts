import type { SandboxFailureCode } from '../../core/ports/sandbox.js'

/** Why the worker stopped a guest itself: a limit it watches, or the node's abort. */
export type StopReason = 'cpu' | 'wall' | 'abort' | 'jobs'

/** A guest's failure, thrown inside the worker and turned into an outcome. */
export class GuestFailure extends Error {
  readonly code: SandboxFailureCode

  constructor(code: SandboxFailureCode, message: string) {
    super(message)
    this.code = code
  }
}

const reasons: Record<StopReason, [SandboxFailureCode, string]> = {
  cpu: ['SANDBOX_CPU_LIMIT', 'The call used more CPU time than its limit'],
  wall: ['SANDBOX_WALL_LIMIT', 'The call outlasted its wall-time limit'],
  abort: ['SANDBOX_WALL_LIMIT', 'The call was canceled'],
  jobs: ['SANDBOX_JOB_LIMIT', 'The call queued more promise jobs than allowed'],
}

/** The failure for a stop the worker decided. */
export function stopFailure(reason: StopReason): GuestFailure {
  const [code, message] = reasons[reason]
  return new GuestFailure(code, message)
}

/**
 * The failure for an error the guest raised (as QuickJS dumped it): QuickJS reports its own limits
 * as `InternalError`s, which name the limit; anything else is the guest's own error.
 */
export function guestErrorFailure(error: unknown): GuestFailure {
  const { name, message } = describe(error)
  if (name === 'InternalError' && (message === 'out of memory' || message === 'string too long')) {
    return new GuestFailure('SANDBOX_MEMORY_LIMIT', `The call ran out of memory (${message})`)
  }
  if (name === 'InternalError' && message === 'stack overflow') {
    return new GuestFailure('SANDBOX_STACK_LIMIT', 'The call overflowed its stack')
  }
  const text = name === '' ? message : `${name}: ${message}`
  return new GuestFailure('SANDBOX_GUEST_ERROR', text.slice(0, 1000) || 'The guest failed')
}

/**
 * The failure for an exception thrown by the engine itself into the worker (the module instance
 * is discarded after it): the worker's own stack overflowing under deep native recursion, or a
 * trap, most likely from an allocation failing at the memory's maximum.
 */
export function engineFailure(error: unknown, memoryFull: boolean): GuestFailure {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new GuestFailure('SANDBOX_STACK_LIMIT', 'The call overflowed its stack (in native code)')
  }
  if (memoryFull) return new GuestFailure('SANDBOX_MEMORY_LIMIT', 'The call ran out of memory')
  const message = error instanceof Error ? error.message : String(error)
  return new GuestFailure('SANDBOX_CRASHED', `The engine failed: ${message}`.slice(0, 1000))
}

function describe(error: unknown): { name: string; message: string } {
  if (error !== null && typeof error === 'object') {
    const { name, message } = error as { name?: unknown; message?: unknown }
    return {
      name: typeof name === 'string' ? name : '',
      message: typeof message === 'string' ? message : JSON.stringify(error),
    }
  }
  return { name: '', message: String(error) }
}
