import { MeshError, parseAmount } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import { newId } from '../ids.js'
import { within } from '../within.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { Random } from '../ports/random.js'
import type { Timers } from '../ports/timers.js'
import type { TaskService } from '../tasks/task-service.js'
import { allotBudget, type Allotment } from './pipeline-budget.js'
import {
  checkDefinition,
  fillTemplate,
  type PipelineDefinition,
  type PipelineStep,
} from './pipeline-definition.js'
import type {
  PipelineRun,
  PipelineRunQuery,
  PipelineStore,
  StepRun,
  StepState,
} from './pipeline-store.js'

export interface PipelineDeps {
  tasks: TaskService
  /** Where a step's price comes from when it sets no `maxPrice`. */
  directory: ProviderDirectory
  runs: PipelineStore
  bus: Bus
  clock: Clock
  random: Random
  timers: Timers
  audit: AuditSink
}

export const pipelineTopic = (runId: string): string => `pipeline.${runId}`

const FOREVER_MS = 2 ** 31 - 1

/**
 * Runs pipelines: steps start as soon as the steps they need are done (independent ones in
 * parallel), each as a task of the requester's, within the run's budget. A failed step's
 * `onFailure` decides: `stop` ends the run (running steps are canceled), `skip` skips the steps that
 * need it, `continue` lets them run (its output is null). Steps that start together share what is
 * left of the budget (see `allotBudget`).
 */
export class PipelineService {
  readonly #deps: PipelineDeps
  readonly #done = new Map<string, Promise<PipelineRun>>()

  constructor(deps: PipelineDeps) {
    this.#deps = deps
  }

  /** Checks the definition (400 naming what is wrong), stores the run and starts it. */
  async start(
    caller: Caller,
    definition: PipelineDefinition,
    input: unknown,
  ): Promise<PipelineRun> {
    checkDefinition(definition)
    const now = this.#deps.clock.now()
    const run: PipelineRun = {
      id: newId('run', this.#deps.clock, this.#deps.random),
      requester: caller.did,
      definition,
      input: input ?? null,
      state: 'running',
      steps: Object.fromEntries(
        definition.steps.map((s) => [
          s.id,
          {
            state: 'pending',
            taskId: null,
            output: null,
            error: null,
            startedAtMs: null,
            endedAtMs: null,
          },
        ]),
      ),
      spentMicros: 0n,
      currency: definition.budget.currency,
      createdAtMs: now,
      updatedAtMs: now,
    }
    await this.#deps.runs.insert(run)
    await this.#deps.audit.record({
      actor: caller.did,
      action: 'pipeline.started',
      resource: `pipeline:${run.id}`,
      result: 'ok',
    })
    const done = this.#execute(caller, run).finally(() => this.#done.delete(run.id))
    this.#done.set(run.id, done)
    done.catch(() => {})
    return structuredClone(run)
  }

  /** Reads a run: its requester and admins may. */
  async get(caller: Caller, id: string): Promise<PipelineRun> {
    const run = await this.#deps.runs.get(id)
    if (!run || (run.requester !== caller.did && !caller.roles.includes('admin'))) {
      throw new MeshError(
        'PIPELINE_RUN_NOT_FOUND',
        `Pipeline run "${id}" does not exist or is not yours`,
      )
    }
    return run
  }

  /** Lists runs newest first: the caller's own, or everyone's for an admin. */
  list(caller: Caller, query: PipelineRunQuery): Promise<PipelineRun[]> {
    const admin = caller.roles.includes('admin')
    return this.#deps.runs.list(admin ? query : { ...query, requester: caller.did })
  }

  subscribe(id: string, handler: (event: unknown) => void): () => void {
    return this.#deps.bus.subscribe(pipelineTopic(id), (message) => handler(message.body))
  }

  /** Resolves with the run when it ends, or as it is after `waitMs`. */
  async waitFor(id: string, waitMs: number): Promise<PipelineRun | undefined> {
    const done = this.#done.get(id)
    if (!done) return this.#deps.runs.get(id)
    const finished = await within(done, waitMs, this.#deps.timers)
    return finished ?? this.#deps.runs.get(id)
  }

  async #execute(caller: Caller, run: PipelineRun): Promise<PipelineRun> {
    const budget = parseAmount(run.definition.budget.amount)
    let reserved = 0n
    let stopped = false
    const running = new Map<string, Promise<void>>()
    const byId = new Map(run.definition.steps.map((s) => [s.id, s]))
    const update = async (stepId: string | null) => {
      run.updatedAtMs = this.#deps.clock.now()
      await this.#deps.runs.save(run)
      const body = stepId
        ? { type: 'step', step: stepId, ...stepEvent(run.steps[stepId]!) }
        : { type: 'run', state: run.state, spent: run.spentMicros.toString() }
      await this.#deps.bus.publish(pipelineTopic(run.id), body)
    }
    const end = async (step: PipelineStep, state: StepState, error: MeshError | null) => {
      const stepRun = run.steps[step.id]!
      stepRun.state = state
      stepRun.error = error?.toWire() ?? null
      stepRun.endedAtMs = this.#deps.clock.now()
      await update(step.id)
      if (state === 'failed' && (step.onFailure ?? 'stop') === 'stop' && !stopped) {
        stopped = true
        for (const [id] of running) {
          const taskId = run.steps[id]!.taskId
          if (taskId) await this.#deps.tasks.cancel(caller, taskId).catch(() => {})
        }
      }
    }
    const startStep = async (step: PipelineStep, allotment: Allotment) => {
      const stepRun = run.steps[step.id]!
      stepRun.state = 'running'
      stepRun.startedAtMs = this.#deps.clock.now()
      try {
        if ('error' in allotment) throw allotment.error
        const maxPrice = allotment.maxPriceMicros
        const input = fillTemplate(step.input ?? { $ref: '/input' }, documentOf(run))
        reserved += maxPrice
        try {
          const { task } = await this.#deps.tasks.submit(caller, {
            capability: step.capability,
            ...(step.agentId ? { agentId: step.agentId } : {}),
            input,
            maxPriceMicros: maxPrice,
            currency: run.currency,
            ...(step.timeoutMs ? { timeoutMs: step.timeoutMs } : {}),
          })
          stepRun.taskId = task.id
          await update(step.id)
          const final = await this.#deps.tasks.waitFor(task.id, FOREVER_MS)
          run.spentMicros += final.settlement.paidMicros
          stepRun.output = final.output
          if (final.state === 'completed') return await end(step, 'completed', null)
          const error = final.error
            ? MeshError.fromWire(final.error)
            : new MeshError('INTERNAL', `Task ${final.state}`)
          return await end(step, final.state === 'canceled' ? 'canceled' : 'failed', error)
        } finally {
          reserved -= maxPrice
        }
      } catch (error) {
        await end(
          step,
          'failed',
          error instanceof MeshError
            ? error
            : new MeshError('INTERNAL', 'Step failed', { cause: error }),
        )
      }
    }
    for (;;) {
      const ready: PipelineStep[] = []
      for (const step of run.definition.steps) {
        const stepRun = run.steps[step.id]!
        if (stepRun.state !== 'pending') continue
        const needs = (step.needs ?? []).map((id) => ({ step: byId.get(id)!, run: run.steps[id]! }))
        const blocked = needs.some(
          (n) =>
            n.run.state === 'skipped' ||
            n.run.state === 'canceled' ||
            (n.run.state === 'failed' && (n.step.onFailure ?? 'stop') !== 'continue'),
        )
        if (stopped || blocked) {
          stepRun.state = 'skipped'
          await update(step.id)
          continue
        }
        if (needs.every((n) => n.run.state === 'completed' || n.run.state === 'failed'))
          ready.push(step)
      }
      if (ready.length > 0) {
        // Running steps only give budget back meanwhile (their reservations end).
        const available = budget - run.spentMicros - reserved
        const allotments = await allotBudget(this.#deps.directory, ready, available, run.currency)
        // The steps that cannot start fail first: one that stops the run skips its siblings.
        const unfit = (step: PipelineStep) => ('error' in allotments.get(step.id)! ? 0 : 1)
        for (const step of ready.sort((a, b) => unfit(a) - unfit(b))) {
          const allotment = allotments.get(step.id)!
          if (stopped) {
            run.steps[step.id]!.state = 'skipped'
            await update(step.id)
          } else if ('error' in allotment) {
            await startStep(step, allotment)
          } else {
            const started = startStep(step, allotment)
            running.set(
              step.id,
              started.finally(() => running.delete(step.id)),
            )
          }
        }
      }
      if (running.size === 0) break
      await Promise.race(running.values())
    }
    const failed = Object.entries(run.steps).some(
      ([id, s]) =>
        (s.state === 'failed' || s.state === 'canceled') &&
        (byId.get(id)!.onFailure ?? 'stop') === 'stop',
    )
    run.state = failed ? 'failed' : 'completed'
    await update(null)
    return run
  }
}

function stepEvent(step: StepRun) {
  return { state: step.state, taskId: step.taskId, error: step.error }
}

/** What `$ref` pointers read: the run's input and each finished step's output. */
function documentOf(run: PipelineRun) {
  return {
    input: run.input,
    steps: Object.fromEntries(
      Object.entries(run.steps).map(([id, s]) => [id, { output: s.output, state: s.state }]),
    ),
  }
}
