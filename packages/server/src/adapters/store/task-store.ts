import type { Kysely } from 'kysely'
import type { TaskQuery, TaskStore } from '../../core/ports.js'
import { isTerminal, terminalStates, type Task } from '../../core/tasks/task-types.js'
import type { Database } from './database.js'
import { fromDocument, isUniqueViolation, toDocument } from './json-document.js'

/** Tasks on Kysely. The idempotency key is unique per requester, so concurrent repeats make one task. */
export class KyselyTaskStore implements TaskStore {
  constructor(readonly db: Kysely<Database>) {}

  async insert(task: Task): Promise<{ task: Task; created: boolean }> {
    try {
      await this.db
        .insertInto('tasks')
        .values({
          id: task.id,
          requester: task.requester,
          provider_id: task.providerId,
          capability_id: task.capabilityId,
          state: task.state,
          idempotency_key: task.idempotencyKey,
          created_at: task.createdAtMs,
          updated_at: task.updatedAtMs,
          document: toDocument(task),
          answer: null,
        })
        .execute()
      return { task, created: true }
    } catch (error) {
      if (!task.idempotencyKey || !isUniqueViolation(error)) throw error
      const existing = await this.findByKey(task.requester, task.idempotencyKey)
      if (!existing) throw error
      return { task: existing, created: false }
    }
  }

  async get(id: string): Promise<Task | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .select('document')
      .where('id', '=', id)
      .executeTakeFirst()
    return row && fromDocument<Task>(row.document)
  }

  async findByKey(requester: string, idempotencyKey: string): Promise<Task | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .select('document')
      .where('requester', '=', requester)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst()
    return row && fromDocument<Task>(row.document)
  }

  async list(query: TaskQuery): Promise<Task[]> {
    let select = this.db
      .selectFrom('tasks')
      .select('document')
      .orderBy('id', 'desc')
      .limit(query.limit)
    if (query.requester) select = select.where('requester', '=', query.requester)
    if (query.providerId) select = select.where('provider_id', '=', query.providerId)
    if (query.state) select = select.where('state', '=', query.state)
    if (query.cursor) select = select.where('id', '<', query.cursor)
    return (await select.execute()).map((row) => fromDocument<Task>(row.document))
  }

  async save(task: Task): Promise<void> {
    await this.db
      .updateTable('tasks')
      .set({
        provider_id: task.providerId,
        state: task.state,
        updated_at: task.updatedAtMs,
        document: toDocument(task),
      })
      .where('id', '=', task.id)
      .execute()
  }

  async listUnfinished(limit: number): Promise<Task[]> {
    const rows = await this.db
      .selectFrom('tasks')
      .select('document')
      .where('state', 'not in', [...terminalStates])
      .orderBy('id')
      .limit(limit)
      .execute()
    return rows
      .map((row) => fromDocument<Task>(row.document))
      .filter((task) => !isTerminal(task.state))
  }

  async saveAnswer(taskId: string, answer: string): Promise<void> {
    await this.db
      .updateTable('tasks')
      .set({ answer })
      .where('id', '=', taskId)
      .where('answer', 'is', null)
      .execute()
  }

  async getAnswer(taskId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('tasks')
      .select('answer')
      .where('id', '=', taskId)
      .executeTakeFirst()
    return row?.answer ?? undefined
  }
}
