import { MeshError } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import { within } from '../within.js'
import type { Logger } from '../ports/logger.js'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { Random } from '../ports/random.js'
import type { OracleReputation } from '../oracles/oracle-reputation.js'
import type { TaskQuery } from './task-store.js'
import type { Tracer } from '../ports/tracer.js'
import { inSpan, noopTracer } from '../tracing.js'
import { finalElsewhere } from './final-wait.js'
import { nodeStopping } from './task-attempt.js'
import { taskTopic } from './task-events.js'
import type { TaskPolicy } from './task-admission.js'
import type { WorkQueue } from '../ports/work-queue.js'
import type { TaskOwners } from '../ports/task-owners.js'
import { TaskRecovery } from './task-recovery.js'
import { TaskRunner, type TaskRunnerDeps } from './task-runner.js'
import type { SubscriptionCheck } from './submission-money.js'
import { TaskSubmission, type ContractSource } from './task-submission.js'
import { isTerminal, type Candidate, type SubmitRequest, type Task } from './task-types.js'
import { runVerified } from './verify.js'

export type { ContractSource } from './task-submission.js'
export type { SubmitRequest } from './task-types.js'

export interface TaskServiceOptions {
  defaultTimeoutMs: number
  /** How many providers a task may fail over across. */
  maxCandidates: number
  /** How deep agent-to-agent calls may nest. */
  maxDepth: number
  /** After a restart, how long a resumed task waits for a provider to reconnect (default 10 s). */
  recoveryGraceMs?: number
  /** How long after its deadline a task's bonus waits for a rating (default a day). */
  bonusWindowMs?: number
}

/**
 * Tasks: submit (reserve, then dispatch), read, list, cancel, wait. Each running task is owned by
 * one in-process runner; a restart resumes unfinished tasks within their deadline.
 */
export class TaskService {
  readonly #deps: TaskRunnerDeps & {
    directory: ProviderDirectory
    random: Random
    contracts?: ContractSource
    policy?: TaskPolicy
    subscriptions?: SubscriptionCheck
    logger?: Logger
    owners?: TaskOwners
    oracles?: OracleReputation
  }
  readonly #runner: TaskRunner
  readonly #tracer: Tracer
  readonly #submission: TaskSubmission
  readonly #recovery: TaskRecovery
  readonly #running = new Map<string, { controller: AbortController; done: Promise<Task> }>()
  #stopping = false

  constructor(
    deps: TaskRunnerDeps & {
      directory: ProviderDirectory
      random: Random
      contracts?: ContractSource
      /** Permissions and validator eligibility (see `TaskPolicy`); none: unchecked, no validator. */
      policy?: TaskPolicy
      subscriptions?: SubscriptionCheck
      /** Where a task run that threw is reported (its task still ends, failed). */
      logger?: Logger
      /** Where tasks to resume after a restart are handed over; none: directly. */
      resumeQueue?: WorkQueue<Task>
      /** In a cluster: the nodes that own the tasks not running here. */
      owners?: TaskOwners
      /** Oracle reputation, which weighs the sources of oracle tasks; none: they weigh the same. */
      oracles?: OracleReputation
    },
    options: TaskServiceOptions,
  ) {
    this.#deps = deps
    this.#runner = new TaskRunner(deps)
    this.#tracer = deps.tracer ?? noopTracer
    this.#submission = new TaskSubmission(deps, options, this.#tracer, (task, candidates) =>
      this.#start(task, candidates),
    )
    this.#recovery = new TaskRecovery(deps, options, {
      isRunning: (taskId) => this.#running.has(taskId),
      resume: (task, find) => this.#start(task, find, true),
    })
  }

  /** Submits a task. A repeat with the same idempotency key answers the first task (`created: false`). */
  submit(caller: Caller, submitted: SubmitRequest): Promise<{ task: Task; created: boolean }> {
    const attributes = {
      'agentmesh.capability': submitted.capability,
      'agentmesh.requester': caller.did,
    }
    return inSpan(this.#tracer, 'task.submit', { attributes }, async (span) => {
      const submittedTask = await this.#submission.submit(caller, submitted, span)
      span.setAttributes({
        'agentmesh.task.id': submittedTask.task.id,
        'agentmesh.task.created': submittedTask.created,
      })
      return submittedTask
    })
  }

  /** Runs the task on `candidates`, or on those `find` answers once it is running. */
  #start(
    task: Task,
    candidates: Candidate[] | ((signal: AbortSignal) => Promise<Candidate[]>),
    resumed = false,
  ): void {
    const controller = new AbortController()
    const { signal } = controller
    const done = this.#runner.spans
      .dispatch(task, resumed, async () => {
        const found = typeof candidates === 'function' ? await candidates(signal) : candidates
        return task.verify
          ? runVerified(this.#runner, this.#deps, task, found, signal)
          : this.#runner.run(task, found, signal)
      })
      .catch((error: unknown) => this.#failed(task, signal, error))
      .finally(() => this.#running.delete(task.id))
    this.#running.set(task.id, { controller, done })
    done.catch((error: unknown) =>
      this.#deps.logger?.error({ err: error, taskId: task.id }, 'a failed task could not be ended'),
    )
  }

  /**
   * A run that threw (a bug, a store that failed) still ends its task: failed, its reservation
   * voided — or completed when its payment was already posted. A stopping node leaves it to resume.
   */
  async #failed(task: Task, signal: AbortSignal, error: unknown): Promise<Task> {
    if (signal.reason === nodeStopping || isTerminal(task.state)) return task
    // Another node took the task over (its lease lapsed): that node finishes it, not this one.
    if (error instanceof MeshError && error.code === 'TASK_OWNED_ELSEWHERE') return task
    this.#deps.logger?.error({ err: error, taskId: task.id }, 'running a task failed')
    if (task.settlement.state === 'posted') return this.#runner.finish(task, 'completed', null)
    const failure = new MeshError('INTERNAL', 'The node failed to run the task', { cause: error })
    return this.#runner.finish(task, 'failed', null, failure)
  }

  /** Reads a task: its requester, its provider and admins may. */
  async get(caller: Caller, id: string): Promise<Task> {
    const task = await this.#deps.tasks.get(id)
    const visible =
      task &&
      (task.requester === caller.did ||
        task.providerId === caller.did ||
        caller.roles.includes('admin'))
    if (!visible)
      throw new MeshError('TASK_NOT_FOUND', `Task "${id}" does not exist or is not yours`)
    return task
  }

  /** Lists the caller's tasks (admins: anyone's). */
  list(caller: Caller, query: TaskQuery): Promise<Task[]> {
    const admin = caller.roles.includes('admin')
    return this.#deps.tasks.list(admin ? query : { ...query, requester: caller.did })
  }

  /** How many of the caller's tasks (admins: anyone's) match, over all pages. */
  count(caller: Caller, query: Omit<TaskQuery, 'limit' | 'cursor'>): Promise<number> {
    const admin = caller.roles.includes('admin')
    return this.#deps.tasks.count(admin ? query : { ...query, requester: caller.did })
  }

  /** Cancels a task of the caller's; the provider gets an abort. Answers the canceled task. */
  async cancel(caller: Caller, id: string): Promise<Task> {
    const task = await this.get(caller, id)
    if (task.requester !== caller.did && !caller.roles.includes('admin')) {
      throw new MeshError('FORBIDDEN', 'Only the requester cancels a task')
    }
    if (isTerminal(task.state))
      throw new MeshError('TASK_FINISHED', `Task "${id}" is already ${task.state}`)
    const running = this.cancelRunning(id)
    if (running) return running
    // Running on another node of the cluster: its owner cancels it.
    if (this.#deps.owners && (await this.#deps.owners.cancel(id)))
      return (await this.#deps.tasks.get(id)) ?? task
    // Not running here (a stale task): finish it directly.
    await this.#runner.settle(task, null)
    task.error = new MeshError('TASK_CANCELED', 'Task was canceled').toWire()
    await this.#runner.transition(task, 'canceled')
    return task
  }

  /** Cancels the task if it runs here; answers it once final, or undefined when not running here. */
  cancelRunning(id: string): Promise<Task> | undefined {
    const running = this.#running.get(id)
    if (!running) return undefined
    running.controller.abort()
    return running.done
  }

  /** Stops running a task without finishing it: another node of the cluster owns it now. */
  abandon(id: string): void {
    this.#running.get(id)?.controller.abort(nodeStopping)
  }

  /** How many tasks run here now. */
  get runningCount(): number {
    return this.#running.size
  }

  /**
   * The requester answers its task's request for input (multi-turn): checked against the schema
   * the agent gave (SCHEMA_MISMATCH), handed to the agent, the task running again.
   */
  async answer(caller: Caller, id: string, input: unknown): Promise<Task> {
    const task = await this.get(caller, id)
    if (task.requester !== caller.did) {
      throw new MeshError('FORBIDDEN', 'Only the requester answers its task')
    }
    if (isTerminal(task.state))
      throw new MeshError('TASK_FINISHED', `Task "${id}" is already ${task.state}`)
    return this.#runner.inputs.answer(id, input)
  }

  /**
   * Gives a settled task's payment back to its requester, all of it or `amountMicros`, exactly
   * once. A provider the task paid refunds its own part; an admin refunds the whole; the requester
   * never refunds itself.
   */
  async refund(caller: Caller, id: string, amountMicros?: bigint): Promise<Task> {
    const task = await this.#deps.tasks.get(id)
    const admin = caller.roles.includes('admin')
    const payees =
      task?.settlement.payees ?? (task?.settlement.payee ? [task.settlement.payee] : [])
    const paid = payees.includes(caller.did)
    if (!task || (!admin && !paid && task.requester !== caller.did))
      throw new MeshError('TASK_NOT_FOUND', `Task "${id}" does not exist or is not yours`)
    if (task.requester === caller.did)
      throw new MeshError('FORBIDDEN', `The requester of task "${id}" cannot refund itself`)
    if (!admin && !paid)
      throw new MeshError('FORBIDDEN', `Only a provider task "${id}" paid, or an admin, refunds it`)
    await this.#runner.settlement.refund(task, {
      actor: caller.did,
      amountMicros,
      from: admin ? undefined : caller.did,
    })
    await this.#deps.tasks.save(task)
    return task
  }

  /** After its requester rated a task: pays the bonus the rating earns, or gives it back. */
  async rated(id: string, stars: number): Promise<void> {
    const task = await this.#deps.tasks.get(id)
    if (task?.bonus?.state !== 'reserved') return
    await this.#runner.settlement.settleBonus(task, stars)
    await this.#deps.tasks.save(task)
  }

  /** Resolves with the task once it is final, or as it is after `waitMs`. */
  async waitFor(id: string, waitMs: number): Promise<Task> {
    // A task a restart left unfinished may not be running again yet: wait for the recovery.
    const recovery = this.#recovery.registered
    if (!this.#running.has(id) && recovery) await recovery
    const running = this.#running.get(id)
    if (!running) return (await this.#deps.tasks.get(id))!
    const startedMs = this.#deps.clock.now()
    const finished = await within(running.done, waitMs, this.#deps.timers)
    if (!finished) return (await this.#deps.tasks.get(id))!
    if (isTerminal(finished.state) || this.#stopping) return finished
    // Stopped here unfinished: another node of the cluster took the task over and finishes it.
    const leftMs = waitMs - (this.#deps.clock.now() - startedMs)
    return (await finalElsewhere(this.#deps, id, Math.max(0, leftMs))) ?? finished
  }

  /** Subscribes to a task's events (state changes and progress). */
  subscribe(id: string, handler: (event: unknown) => void): () => void {
    return this.#deps.bus.subscribe(taskTopic(id), (message) => handler(message.body))
  }

  /**
   * After a restart: resumes each unfinished task within its deadline (its provider may see it
   * twice; payment stays exactly once), or times it out and releases its reservation.
   */
  recover(): Promise<number> {
    return this.#recovery.recover()
  }

  /** Stops the runners without finishing their tasks, which resume after a restart. */
  async stop(): Promise<void> {
    this.#stopping = true
    const running = [...this.#running.values()]
    for (const { controller } of running) controller.abort(nodeStopping)
    await Promise.allSettled(running.map((r) => r.done))
  }
}
