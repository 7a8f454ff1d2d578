import type { FedAdamState } from '@agentmesh/fl'
import { MeshError, type WireError } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { Random } from '../ports/random.js'
import type { FlDispatch, StepResult } from './fl-dispatch.js'
import type { FlContribution, FlJob, FlSettings } from './fl-types.js'

/** What one round of a job works with. */
export interface RoundContext {
  job: FlJob
  settings: FlSettings
  round: number
  /** The job's owner: the steps are its tasks. */
  caller: Caller
  dispatch: FlDispatch
  random: Random
  signal: AbortSignal
  /** The model in force, and its parameters as they travel (base64 float32). */
  global: Float32Array
  globalParams: string
}

/** What training proposes: the aggregate (each trainer's part is in the round's contributions). */
export interface Proposal {
  params: Float32Array
  trainLoss: number | null
  /** FedAdam's moments for the next round. */
  state?: FedAdamState
}

/** The options of a step of `ctx`'s round sent to `capability`, answers checked against `schema`. */
export function stepOf(ctx: RoundContext, capability: string, schema: object) {
  return {
    caller: ctx.caller,
    capability,
    currency: ctx.settings.currency,
    timeoutMs: ctx.settings.roundTimeoutMs,
    schema,
    signal: ctx.signal,
  }
}

/** A trainer asked to take part in a round, before it answers. */
export function pendingContribution(trainer: string): FlContribution {
  return {
    trainer,
    state: 'pending',
    taskId: null,
    examples: null,
    loss: null,
    paidMicros: 0n,
    error: null,
  }
}

/**
 * Records a step's result in the trainer's contribution: still pending when it answered, else
 * dropped or invalid (it takes no further step).
 */
export function record(contribution: FlContribution, result: StepResult<unknown>): void {
  contribution.taskId = result.taskId
  if (result.ok) return
  contribution.state = result.error.code === 'FL_UPDATE_INVALID' ? 'invalid' : 'dropped'
  contribution.error = result.error
}

/** Throws unless at least `min` of the trainers answered. */
export function requireTrainers(answered: number, asked: number, min: number): void {
  if (answered >= min) return
  throw new MeshError(
    'FL_NOT_ENOUGH_TRAINERS',
    `${answered} of ${asked} trainers answered; the round needs ${min}`,
  )
}

/** The wire error of anything thrown. */
export function wireOf(error: unknown): WireError {
  if (error instanceof MeshError) return error.toWire()
  return new MeshError('INTERNAL', 'The round failed', { cause: error }).toWire()
}
