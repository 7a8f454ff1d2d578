import { createModel, encodeParams, hashParams, type FedAdamState } from '@agentmesh/fl'
import { MeshError, type FlJobEvent, type FlJobSpec, type FlJobState } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import { newId } from '../ids.js'
import type { Bus } from '../ports/bus.js'
import type { Logger } from '../ports/logger.js'
import type { TaskValidator } from '../ports/task-validator.js'
import { FlDispatch, type FlTaskFlow } from './fl-dispatch.js'
import { chooseValidators, pickTrainers, type ValidatorPolicy } from './fl-participants.js'
import { wireOf } from './fl-round-context.js'
import { runRound, type RoundDeps } from './fl-round-runner.js'
import { settingsOf } from './fl-settings.js'
import type { FlJob, FlRound, FlStoredModel } from './fl-types.js'

/** What the job service needs: a round's dependencies, the bus, the task flow and the policy. */
export interface FlDeps extends Omit<RoundDeps, 'publish'> {
  bus: Bus
  tasks: FlTaskFlow
  validator: TaskValidator
  policy: ValidatorPolicy
  logger?: Logger
}

export const flTopic = (job: string): string => `fl.${job}`

/** Running jobs one owner may have at once. */
const MAX_RUNNING_PER_OWNER = 5
/** Why a job's run stopped without ending it: the node is stopping. */
const stopping = Symbol('node stopping')

/**
 * Federated-learning jobs, the node acting as aggregator. A job escrows its budget from the
 * owner, fixes its validator set, then runs its rounds one after another (see `runRound`) with
 * the owner's tasks; it ends completed (some round approved), failed (none) or canceled, and every
 * hold not paid out goes back to the owner. A job runs on the node that took it; a node that
 * stops mid-job ends it as failed at its next start, giving the rest of the budget back.
 */
export class FlService {
  readonly #deps: FlDeps
  readonly #dispatch: FlDispatch
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>()

  constructor(deps: FlDeps) {
    this.#deps = deps
    this.#dispatch = new FlDispatch(deps.tasks, deps.validator)
  }

  /** Starts a job: settings checked, validators chosen, budget escrowed, rounds begun. */
  async create(caller: Caller, spec: FlJobSpec): Promise<{ job: FlJob; rounds: FlRound[] }> {
    const settings = settingsOf(spec)
    const deps = this.#deps
    const running = await deps.store.listJobs({ owner: caller.did, state: 'running', limit: 50 })
    if (running.length >= MAX_RUNNING_PER_OWNER) {
      throw new MeshError(
        'RATE_LIMITED',
        `"${caller.did}" runs ${running.length} jobs already; wait for one to end`,
      )
    }
    const validators = await chooseValidators(
      deps,
      caller.did,
      settings.validatorCapability,
      settings.validatorCount,
    )
    const free = await pickTrainers(deps.directory, settings, [caller.did, ...validators])
    if (free.length < settings.minTrainers) {
      throw new MeshError(
        'FL_NOT_ENOUGH_TRAINERS',
        `${free.length} trainers of "${settings.trainerCapability}" serve it for free here; the job needs ${settings.minTrainers}`,
      )
    }
    const now = deps.clock.now()
    const initial = createModel(settings.model).init()
    const hash = hashParams(initial)
    const roundMicros = settings.priceMicros * BigInt(settings.trainers)
    const job: FlJob = {
      id: newId('fljob', deps.clock, deps.random),
      owner: caller.did,
      ownerRoles: [...caller.roles],
      spec,
      settings,
      state: 'running',
      validators,
      f: settings.f,
      currentModel: { hash, round: 0 },
      escrowedMicros: roundMicros * BigInt(settings.rounds),
      paidMicros: 0n,
      participants: [],
      noisyRounds: 0,
      runner: deps.nodeDid,
      createdAtMs: now,
      updatedAtMs: now,
      error: null,
    }
    // Each step may take a round's timeout; a round has at most six.
    const timeoutMs = Math.min(settings.rounds * 7 * settings.roundTimeoutMs + 600_000, 2 ** 31 - 1)
    await deps.budget.open({
      job: job.id,
      owner: caller.did,
      currency: settings.currency,
      rounds: settings.rounds,
      roundMicros,
      timeoutMs,
    })
    // Nothing is written before the budget is held: a refused job leaves no trace.
    try {
      await deps.store.putModel({ hash, params: encodeParams(initial), size: settings.size }, now)
      await deps.store.insertJob(job)
    } catch (error) {
      await this.#releaseAll(job)
      throw error
    }
    await deps.audit.record({
      actor: caller.did,
      action: 'fl.job.created',
      resource: `fl-job:${job.id}`,
      result: 'ok',
      details: {
        rounds: settings.rounds,
        trainers: settings.trainers,
        strategy: settings.strategy.name,
        secureAggregation: settings.secureAggregation !== null,
        dp: settings.dp !== null,
        validators: validators.length,
        escrowed: job.escrowedMicros.toString(),
      },
    })
    this.#start(job, initial)
    return { job: structuredClone(job), rounds: [] }
  }

  /** A job with its rounds: its owner, an admin, its validators and its trainers may read it. */
  async get(caller: Caller, id: string): Promise<{ job: FlJob; rounds: FlRound[] }> {
    const job = await this.#readable(caller, id)
    return { job, rounds: await this.#deps.store.rounds(id) }
  }

  /** The caller's jobs, newest first (an admin's: everyone's). */
  list(caller: Caller, query: { state?: FlJobState; limit: number }): Promise<FlJob[]> {
    const admin = caller.roles.includes('admin')
    return this.#deps.store.listJobs(admin ? query : { ...query, owner: caller.did })
  }

  /** The model in force for a job the caller may read. */
  async model(caller: Caller, id: string): Promise<{ job: FlJob; model: FlStoredModel }> {
    const job = await this.#readable(caller, id)
    const model = await this.#deps.store.getModel(job.currentModel.hash)
    if (!model) throw new MeshError('INTERNAL', `The model of job "${id}" is missing`)
    return { job, model }
  }

  /** Stops a running job after its current step (owner or admin); its remaining budget goes back. */
  async cancel(caller: Caller, id: string): Promise<void> {
    const job = await this.#readable(caller, id)
    if (job.owner !== caller.did && !caller.roles.includes('admin')) {
      throw new MeshError('FORBIDDEN', 'Only the owner or an admin cancels a job')
    }
    const run = this.#running.get(id)
    if (job.state !== 'running' || !run) {
      throw new MeshError('FL_JOB_FINISHED', `Job "${id}" is ${job.state}`)
    }
    await this.#deps.audit.record({
      actor: caller.did,
      action: 'fl.job.cancel',
      resource: `fl-job:${id}`,
      result: 'ok',
    })
    run.controller.abort()
    await run.done
  }

  subscribe(id: string, handler: (event: FlJobEvent) => void): () => void {
    return this.#deps.bus.subscribe(flTopic(id), (message) => handler(message.body as FlJobEvent))
  }

  /** After a restart: ends the jobs this node was running as failed and gives their budget back. */
  async recover(): Promise<number> {
    const jobs = await this.#deps.store.listJobs({ state: 'running', limit: 1000 })
    let count = 0
    for (const job of jobs) {
      if (job.runner !== this.#deps.nodeDid || this.#running.has(job.id)) continue
      job.error = new MeshError('INTERNAL', 'The node stopped while the job ran').toWire()
      const rounds = await this.#deps.store.rounds(job.id)
      const ended = rounds.filter((r) => r.endedAtMs !== null).at(-1)?.round ?? 0
      await this.#end(job, 'failed', ended)
      count++
    }
    return count
  }

  /** Stops running jobs without ending them (the next start ends them). */
  async stop(): Promise<void> {
    const runs = [...this.#running.values()]
    for (const run of runs) run.controller.abort(stopping)
    await Promise.allSettled(runs.map((run) => run.done))
  }

  async #readable(caller: Caller, id: string): Promise<FlJob> {
    const job = await this.#deps.store.getJob(id)
    const allowed =
      job &&
      (job.owner === caller.did ||
        caller.roles.includes('admin') ||
        job.validators.includes(caller.did) ||
        job.participants.includes(caller.did))
    if (!allowed)
      throw new MeshError('FL_JOB_NOT_FOUND', `Job "${id}" does not exist or is not yours`)
    return job
  }

  #start(job: FlJob, initial: Float32Array): void {
    const controller = new AbortController()
    const done = this.#execute(job, initial, controller.signal)
      .catch((error: unknown) =>
        this.#deps.logger?.error({ err: error, job: job.id }, 'a job could not end'),
      )
      .finally(() => this.#running.delete(job.id))
    this.#running.set(job.id, { controller, done })
  }

  async #execute(job: FlJob, initial: Float32Array, signal: AbortSignal): Promise<void> {
    const publish = (id: string, event: FlJobEvent) => this.#deps.bus.publish(flTopic(id), event)
    const roundDeps: RoundDeps = { ...this.#deps, publish }
    let global = initial
    let state: FedAdamState | undefined
    let approved = 0
    let ended = 0
    try {
      for (let round = 1; round <= job.settings.rounds && !signal.aborted; round++) {
        const ctx = {
          job,
          settings: job.settings,
          round,
          caller: { did: job.owner, roles: job.ownerRoles },
          dispatch: this.#dispatch,
          random: this.#deps.random,
          signal,
          global,
          globalParams: encodeParams(global),
        }
        const outcome = await runRound(roundDeps, ctx, state)
        ended = round
        if (outcome.approved) {
          approved++
          global = outcome.approved.params
          state = outcome.approved.state ?? state
        }
        job.updatedAtMs = this.#deps.clock.now()
        await this.#deps.store.saveJob(job)
      }
    } catch (error) {
      job.error = wireOf(error)
    }
    if (signal.reason === stopping) return
    if (signal.aborted) return this.#end(job, 'canceled', ended)
    if (approved === 0 && !job.error) {
      job.error = new MeshError('FL_ROUND_REJECTED', 'No round of the job was approved').toWire()
    }
    await this.#end(job, approved > 0 && !job.error ? 'completed' : 'failed', ended)
  }

  /**
   * Ends a job: the holds of the rounds after `ended` (the last round that ran to its end and
   * resolved its own) go back; the end is saved, audited and announced.
   */
  async #end(job: FlJob, state: FlJobState, ended: number): Promise<void> {
    await this.#releaseAll(job, ended + 1)
    job.state = state
    job.updatedAtMs = this.#deps.clock.now()
    await this.#deps.store.saveJob(job)
    await this.#deps.audit.record({
      actor: this.#deps.nodeDid,
      action: `fl.job.${state}`,
      resource: `fl-job:${job.id}`,
      result: state === 'completed' ? 'ok' : 'error',
      details: {
        model: job.currentModel.hash,
        round: job.currentModel.round,
        paid: job.paidMicros.toString(),
        ...(job.error ? { error: job.error.code } : {}),
      },
    })
    await this.#deps.bus.publish(flTopic(job.id), { type: 'job', state })
  }

  async #releaseAll(job: FlJob, from = 1): Promise<void> {
    for (let round = from; round <= job.settings.rounds; round++) {
      await this.#deps.budget.release(job.id, round)
    }
  }
}
