import type { Insertable, Kysely, SelectQueryBuilder } from 'kysely'
import type { TaskQuery, TaskStore } from '../../core/tasks/task-store.js'
import { isTerminal, terminalStates, type Task } from '../../core/tasks/task-types.js'
import type { Database } from './database.js'
import { fromDocument, toDocument } from './json-document.js'
import { Prepared, type Param } from './prepared.js'
import type { StoreDialect } from './store-dialect.js'

/** Tasks on Kysely. The idempotency key is unique per requester, so concurrent repeats make one task. */
export class KyselyTaskStore implements TaskStore {
  // The statements every task runs, built once (see Prepared).
  readonly #insert = new Prepared((p: Param<Insertable<Database['tasks']>>) =>
    this.db.insertInto('tasks').values({
      id: p('id'),
      requester: p('requester'),
      provider_id: p('provider_id'),
      capability_id: p('capability_id'),
      state: p('state'),
      idempotency_key: p('idempotency_key'),
      created_at: p('created_at'),
      updated_at: p('updated_at'),
      document: p('document'),
      answer: null,
      context_id: p('context_id'),
      agent_id: p('agent_id'),
    }),
  )
  readonly #get = new Prepared((p: Param<{ id: string }>) =>
    this.db.selectFrom('tasks').select('document').where('id', '=', p('id')),
  )
  readonly #save = new Prepared(
    (p: Param<{ id: string; providerId: string | null; state: string; at: number; doc: string }>) =>
      this.db
        .updateTable('tasks')
        .set({
          provider_id: p('providerId'),
          state: p('state'),
          updated_at: p('at'),
          document: p('doc'),
        })
        .where('id', '=', p('id')),
  )
  readonly #saveAnswer = new Prepared((p: Param<{ id: string; answer: string }>) =>
    this.db
      .updateTable('tasks')
      .set({ answer: p('answer') })
      .where('id', '=', p('id'))
      .where('answer', 'is', null),
  )

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
  ) {}

  async insert(task: Task): Promise<{ task: Task; created: boolean }> {
    try {
      await this.#insert.run(this.db, {
        id: task.id,
        requester: task.requester,
        provider_id: task.providerId,
        capability_id: task.capabilityId,
        state: task.state,
        idempotency_key: task.idempotencyKey,
        created_at: task.createdAtMs,
        updated_at: task.updatedAtMs,
        document: toDocument(task),
        context_id: task.contextId ?? task.id,
        agent_id: task.agentId,
      })
      return { task, created: true }
    } catch (error) {
      if (!task.idempotencyKey || !this.dialect.isUniqueViolation(error)) throw error
      const existing = await this.findByKey(task.requester, task.idempotencyKey)
      if (!existing) throw error
      return { task: existing, created: false }
    }
  }

  async get(id: string): Promise<Task | undefined> {
    const row = await this.#get.first(this.db, { id })
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
    let select = this.#filtered(this.db.selectFrom('tasks').select('document'), query)
      .orderBy('id', 'desc')
      .limit(query.limit)
    if (query.cursor) select = select.where('id', '<', query.cursor)
    return (await select.execute()).map((row) => fromDocument<Task>(row.document))
  }

  async count(query: Omit<TaskQuery, 'limit' | 'cursor'>): Promise<number> {
    const select = this.db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n'))
    const row = await this.#filtered(select, query).executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  #filtered<O>(
    select: SelectQueryBuilder<Database, 'tasks', O>,
    query: Omit<TaskQuery, 'limit' | 'cursor'>,
  ): SelectQueryBuilder<Database, 'tasks', O> {
    let q = select
    if (query.requester) q = q.where('requester', '=', query.requester)
    if (query.providerId) q = q.where('provider_id', '=', query.providerId)
    if (query.state) q = q.where('state', '=', query.state)
    if (query.states) q = q.where('state', 'in', query.states.length ? query.states : [''])
    if (query.contextId !== undefined) q = q.where('context_id', '=', query.contextId)
    if (query.updatedFromMs !== undefined) q = q.where('updated_at', '>=', query.updatedFromMs)
    const agent = query.agent
    if (agent !== undefined) {
      q = q.where((eb) => eb.or([eb('agent_id', '=', agent), eb('provider_id', '=', agent)]))
    }
    return q
  }

  async save(task: Task): Promise<void> {
    await this.#save.run(this.db, {
      id: task.id,
      providerId: task.providerId,
      state: task.state,
      at: task.updatedAtMs,
      doc: toDocument(task),
    })
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
    await this.#saveAnswer.run(this.db, { id: taskId, answer })
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
