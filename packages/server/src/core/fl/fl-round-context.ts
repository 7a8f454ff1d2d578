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

/** What training proposes: the aggregate and what became of each trainer's update. */
export interface Proposal {
  params: Float32Array
  contributions: FlContribution[]
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

/** A trainer's contribution from its step's result: pending when it answered, else dropped or invalid. */
export function contributionOf(result: StepResult<unknown>): FlContribution {
  const base = {
    trainer: result.agentId,
    taskId: result.taskId,
    examples: null,
    loss: null,
    paidMicros: 0n,
  }
  if (result.ok) return { ...base, state: 'pending', error: null }
  const invalid = result.error.code === 'FL_UPDATE_INVALID'
  return { ...base, state: invalid ? 'invalid' : 'dropped', error: result.error }
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
