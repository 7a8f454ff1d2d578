import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { TaskStore } from './task-store.js'
import type { Timers } from '../ports/timers.js'
import type { WorkQueue } from '../ports/work-queue.js'
import { nextOnline } from './provider-wait.js'
import type { Candidate, Task } from './task-types.js'

/** What the recovery reads: the unfinished tasks, the providers online, registry events, time. */
export interface TaskRecoveryDeps {
  tasks: TaskStore
  directory: ProviderDirectory
  bus: Bus
  clock: Clock
  timers: Timers
  /** Where the tasks to resume are handed over (at least once, once per task id); none: directly. */
  resumeQueue?: WorkQueue<Task>
}

/** How the recovery looks for providers. */
export interface TaskRecoveryOptions {
  /** How many providers a task may fail over across. */
  maxCandidates: number
  /** After a restart, how long a resumed task waits for a provider to reconnect (default 10 s). */
  recoveryGraceMs?: number
}

/** How the recovery hands tasks back to their owner, which runs them. */
export interface TaskResumer {
  /** Whether the task already runs here (then it is left alone). */
  isRunning(taskId: string): boolean
  /** Runs the task again on the providers `find` answers once it is running. */
  resume(task: Task, find: (signal: AbortSignal) => Promise<Candidate[]>): void
}

/**
 * Resumes a restarted node's unfinished tasks. Their agents reconnect only after the node is up,
 * so each resumed task first waits for a provider, until its deadline or `recoveryGraceMs`.
 */
export class TaskRecovery {
  readonly #deps: TaskRecoveryDeps
  readonly #options: TaskRecoveryOptions
  readonly #resumer: TaskResumer
  #registered: Promise<void> | undefined

  constructor(deps: TaskRecoveryDeps, options: TaskRecoveryOptions, resumer: TaskResumer) {
    this.#deps = deps
    this.#options = options
    this.#resumer = resumer
  }

  /**
   * The latest recovery, settled once it has registered the unfinished tasks (whether or not it
   * failed); `undefined` before any. A task not running yet may be waiting for it.
   */
  get registered(): Promise<void> | undefined {
    return this.#registered
  }

  /** Resumes each unfinished task; answers how many there were. */
  recover(): Promise<number> {
    const recovery = this.#recover()
    this.#registered = recovery.then(
      () => undefined,
      () => undefined,
    )
    return recovery
  }

  async #recover(): Promise<number> {
    const unfinished = await this.#deps.tasks.listUnfinished(10_000)
    const queue = this.#deps.resumeQueue
    if (!queue) {
      for (const task of unfinished) this.#resume(task)
      return unfinished.length
    }
    for (const task of unfinished) await queue.enqueue(task.id, task)
    for (let batch = await queue.receive(100); batch.length > 0; batch = await queue.receive(100)) {
      for (const delivery of batch) {
        this.#resume(delivery.payload)
        delivery.ack()
      }
    }
    return unfinished.length
  }

  #resume(task: Task): void {
    if (this.#resumer.isRunning(task.id)) return
    this.#resumer.resume(task, (signal) => this.#candidates(task, signal))
  }

  /**
   * The providers of a task resumed after a restart. Its agents reconnect after the node is up,
   * so while none is online the task waits for them, until its deadline or `recoveryGraceMs`.
   */
  async #candidates(task: Task, signal: AbortSignal): Promise<Candidate[]> {
    const { clock } = this.#deps
    const grace = this.#options.recoveryGraceMs ?? 10_000
    const until = Math.min(task.deadlineAtMs, clock.now() + grace)
    for (;;) {
      if (clock.now() >= task.deadlineAtMs) return []
      // Listen before looking, so that an agent coming online in between is not missed.
      const found = new AbortController()
      const online = nextOnline(this.#deps, until - clock.now(), signal, found.signal)
      const candidates = await this.#deps.directory
        .candidates({
          capabilityId: task.capabilityId,
          maxPriceMicros: task.maxPriceMicros,
          currency: task.currency,
          ...(task.agentId ? { agentId: task.agentId } : {}),
          limit: this.#options.maxCandidates,
        })
        .catch(() => [])
      if (candidates.length > 0 || signal.aborted || clock.now() >= until) {
        found.abort()
        return candidates
      }
      await online
    }
  }
}
