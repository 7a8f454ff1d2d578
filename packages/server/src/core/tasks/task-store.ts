import type { Task } from './task-types.js'

/** A query for tasks; `cursor` is the id of the last task of the previous page. */
export interface TaskQuery {
  requester?: string
  providerId?: string
  state?: string
  /** Any of these states (A2A's list filter: one of its states is several of ours). */
  states?: string[]
  /** The conversation a task belongs to (A2A's `contextId`). */
  contextId?: string
  /** Tasks whose last change is at or after this time. */
  updatedFromMs?: number
  /** The one agent a task went to (named at submission) or ran on. */
  agent?: string
  limit: number
  cursor?: string
}

/** Tasks as stored. Writes come from the one runner that owns a task, so `save` replaces the row. */
export interface TaskStore {
  /**
   * Inserts a task; when the requester already used its idempotency key, inserts nothing and
   * answers the existing task with `created: false`.
   */
  insert(task: Task): Promise<{
    task: Task
    created: boolean
  }>
  get(id: string): Promise<Task | undefined>
  /** The task a requester submitted with an idempotency key. */
  findByKey(requester: string, idempotencyKey: string): Promise<Task | undefined>
  list(query: TaskQuery): Promise<Task[]>
  /** How many tasks match the query, over all pages (its `limit` and `cursor` are ignored). */
  count(query: Omit<TaskQuery, 'limit' | 'cursor'>): Promise<number>
  save(task: Task): Promise<void>
  /** Tasks not yet in a final state, for recovery after a restart. */
  listUnfinished(limit: number): Promise<Task[]>
  /** Keeps the first answer given for an idempotency key, so a repeat gets the same bytes. */
  saveAnswer(taskId: string, answer: string): Promise<void>
  getAnswer(taskId: string): Promise<string | undefined>
}
