import { MeshError } from '@agentmesh/protocol'
import type { Clock } from '../../core/ports/clock.js'
import type { TaskQuery, TaskStore } from '../../core/tasks/task-store.js'
import { isTerminal, type Task } from '../../core/tasks/task-types.js'
import type { TaskLeaseStore } from '../store/task-lease-store.js'

/**
 * The task store of a cluster node: tasks are written only under a lease. A new task gets this
 * node's lease (epoch 1) before it is stored; every later write is fenced by owner and epoch, so
 * a node whose lease was taken over can no longer write (TASK_OWNED_ELSEWHERE); a task's lease
 * goes once it is final. `listUnfinished`, which restart recovery reads, answers only the tasks
 * whose lease lapsed and that this node has just taken over: the recovery resumes those.
 */
export class LeasedTaskStore implements TaskStore {
  readonly #inner: TaskStore
  readonly #leases: TaskLeaseStore
  readonly #owner: string
  readonly #clock: Clock
  readonly #leaseMs: number
  readonly #held = new Map<string, number>()
  #scanned = false

  constructor(
    inner: TaskStore,
    deps: { leases: TaskLeaseStore; owner: string; clock: Clock; leaseMs: number },
  ) {
    this.#inner = inner
    this.#leases = deps.leases
    this.#owner = deps.owner
    this.#clock = deps.clock
    this.#leaseMs = deps.leaseMs
  }

  /** How many tasks this node holds the lease of. */
  get held(): number {
    return this.#held.size
  }

  async insert(task: Task): Promise<{ task: Task; created: boolean }> {
    await this.#leases.create(task.id, this.#owner, this.#expiry())
    this.#held.set(task.id, 1)
    try {
      const result = await this.#inner.insert(task)
      if (!result.created) await this.#drop(task.id, 1)
      return result
    } catch (error) {
      await this.#drop(task.id, 1).catch(() => {})
      throw error
    }
  }

  get(id: string): Promise<Task | undefined> {
    return this.#inner.get(id)
  }

  findByKey(requester: string, idempotencyKey: string): Promise<Task | undefined> {
    return this.#inner.findByKey(requester, idempotencyKey)
  }

  list(query: TaskQuery): Promise<Task[]> {
    return this.#inner.list(query)
  }

  count(query: Omit<TaskQuery, 'limit' | 'cursor'>): Promise<number> {
    return this.#inner.count(query)
  }

  async save(task: Task): Promise<void> {
    let epoch = this.#held.get(task.id)
    if (epoch === undefined) {
      if (isTerminal(task.state) && (await this.#leases.saveFinished(task))) return
      // A stale task nobody runs (its owner gone): take it, then write it.
      const now = this.#clock.now()
      const [claimed] = await this.#leases.claim(this.#owner, now, this.#expiry(), 1, {
        taskId: task.id,
      })
      if (!claimed) throw this.#lost(task.id)
      epoch = claimed.epoch
      this.#held.set(task.id, epoch)
    }
    if (!(await this.#leases.fencedSave(task, this.#owner, epoch))) {
      this.#held.delete(task.id)
      throw this.#lost(task.id)
    }
    if (isTerminal(task.state)) await this.#drop(task.id, epoch)
  }

  /**
   * Takes over the tasks whose lease lapsed; answers them, to resume. Until one such scan found
   * fewer than `limit`, tasks without any lease (a store from before the cluster) too.
   */
  async listUnfinished(limit: number): Promise<Task[]> {
    const now = this.#clock.now()
    const claimed = await this.#leases.claim(this.#owner, now, this.#expiry(), limit, {
      unleased: !this.#scanned,
    })
    if (claimed.length < limit) this.#scanned = true
    for (const { taskId, epoch } of claimed) this.#held.set(taskId, epoch)
    const tasks = await Promise.all(claimed.map(({ taskId }) => this.#inner.get(taskId)))
    return tasks.filter((task): task is Task => task !== undefined && !isTerminal(task.state))
  }

  saveAnswer(taskId: string, answer: string): Promise<void> {
    return this.#inner.saveAnswer(taskId, answer)
  }

  getAnswer(taskId: string): Promise<string | undefined> {
    return this.#inner.getAnswer(taskId)
  }

  /** Extends this node's leases; answers the ids of tasks whose lease another node took. */
  async renew(): Promise<string[]> {
    const held = [...this.#held].map(([taskId, epoch]) => ({ taskId, epoch }))
    const kept = new Set(await this.#leases.renew(this.#owner, held, this.#expiry()))
    const lost = held.filter((h) => !kept.has(h.taskId) && this.#held.get(h.taskId) === h.epoch)
    for (const { taskId } of lost) this.#held.delete(taskId)
    return lost.map((h) => h.taskId)
  }

  /** Lets every lease of this node lapse now (draining): the other nodes take the tasks at once. */
  async release(): Promise<number> {
    this.#held.clear()
    return this.#leases.release(this.#owner)
  }

  #expiry(): number {
    return this.#clock.now() + this.#leaseMs
  }

  async #drop(taskId: string, epoch: number): Promise<void> {
    if (this.#held.get(taskId) === epoch) this.#held.delete(taskId)
    await this.#leases.remove(taskId, this.#owner, epoch)
  }

  #lost(taskId: string): MeshError {
    return new MeshError(
      'TASK_OWNED_ELSEWHERE',
      `Task "${taskId}" is owned by another node of the cluster now`,
    )
  }
}
