import type { FactAssertion } from '@agentmesh/protocol'
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type {
  FactFilter,
  FactRecord,
  KnowledgeStore,
  UseOutcome,
} from '../../core/knowledge/knowledge-store.js'
import { toMs, type Database } from './database.js'
import type { StoreDialect } from './store-dialect.js'

type Row = Selectable<Database['knowledge_facts']>

/** Thrown inside `put`'s transaction to roll it back when an agent would pass its limit. */
const OVER_LIMIT = new Error('over the limit of facts per agent')

function fromRow(row: Row): FactRecord {
  const assertion: FactAssertion = {
    subject: row.subject,
    relation: row.relation,
    object: row.object,
    confidence: Number(row.confidence),
    agent: row.agent,
    ...(row.task_id === null ? {} : { taskId: row.task_id }),
    signature: row.signature,
  }
  const count = (value: unknown) => Number(value)
  return {
    id: row.id,
    assertion,
    assertedAtMs: toMs(row.asserted_at),
    usage: {
      reads: count(row.reads),
      tasks: count(row.tasks),
      completed: count(row.completed),
      failed: count(row.failed),
      ratingCount: count(row.rating_count),
      ratingSum: count(row.rating_sum),
    },
  }
}

/**
 * Facts in one table with their usage counters; uses (task, fact) in another, each settled once
 * by a conditional update. An agent's fact count lives in a row locked while an assertion checks
 * the limit, so two assertions of one agent take turns.
 */
export class KyselyKnowledgeStore implements KnowledgeStore {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
  ) {}

  async put(
    facts: Array<{ id: string; assertion: FactAssertion }>,
    atMs: number,
    maxPerAgent: number,
  ): Promise<boolean[] | undefined> {
    try {
      return await this.#put(facts, atMs, maxPerAgent)
    } catch (error) {
      if (error === OVER_LIMIT) return undefined
      throw error
    }
  }

  /** `put` in one transaction; throws `OVER_LIMIT`, rolling it back, past an agent's limit. */
  #put(
    facts: Array<{ id: string; assertion: FactAssertion }>,
    atMs: number,
    maxPerAgent: number,
  ): Promise<boolean[]> {
    return this.db.transaction().execute(async (tx) => {
      const created = new Map<string, boolean>()
      const agents = [...new Set(facts.map((f) => f.assertion.agent))].sort()
      for (const agent of agents) {
        const ids = [...new Set(facts.filter((f) => f.assertion.agent === agent).map((f) => f.id))]
        const fresh = await this.#reserve(tx, agent, ids, maxPerAgent)
        if (!fresh) throw OVER_LIMIT
        for (const id of ids) created.set(id, fresh.has(id))
      }
      for (const { id, assertion } of facts) {
        const row = {
          subject: assertion.subject,
          relation: assertion.relation,
          object: assertion.object,
          confidence: assertion.confidence,
          task_id: assertion.taskId ?? null,
          signature: assertion.signature,
          asserted_at: atMs,
        }
        await tx
          .insertInto('knowledge_facts')
          .values({ id, agent: assertion.agent, ...row })
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute()
      }
      // A fact named twice in one batch is new only the first time.
      return facts.map(({ id }) => {
        const isNew = created.get(id) === true
        created.set(id, false)
        return isNew
      })
    })
  }

  /** Counts the agent's new facts against its limit; answers the new ids, or undefined. */
  async #reserve(
    tx: Transaction<Database>,
    agent: string,
    ids: string[],
    maxPerAgent: number,
  ): Promise<Set<string> | undefined> {
    await tx
      .insertInto('knowledge_agents')
      .values({ agent, facts: 0 })
      .onConflict((oc) => oc.column('agent').doNothing())
      .execute()
    const held = await this.dialect
      .lockRows(tx.selectFrom('knowledge_agents').select('facts').where('agent', '=', agent))
      .executeTakeFirstOrThrow()
    const existing = await tx
      .selectFrom('knowledge_facts')
      .select('id')
      .where('id', 'in', ids)
      .execute()
    const old = new Set(existing.map((r) => r.id))
    const fresh = new Set(ids.filter((id) => !old.has(id)))
    if (Number(held.facts) + fresh.size > maxPerAgent) return undefined
    if (fresh.size > 0) {
      await tx
        .updateTable('knowledge_agents')
        .set({ facts: sql`facts + ${fresh.size}` })
        .where('agent', '=', agent)
        .execute()
    }
    return fresh
  }

  async find(filter: FactFilter, limit: number): Promise<FactRecord[]> {
    let query = this.db.selectFrom('knowledge_facts').selectAll()
    if (filter.subject) query = query.where('subject', '=', filter.subject)
    if (filter.relation) query = query.where('relation', '=', filter.relation)
    if (filter.object) query = query.where('object', '=', filter.object)
    const rows = await query
      .orderBy('confidence', 'desc')
      .orderBy('asserted_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute()
    return rows.map(fromRow)
  }

  async fromSubjects(subjects: string[], limit: number): Promise<FactRecord[]> {
    if (subjects.length === 0 || limit <= 0) return []
    const rows = await this.db
      .selectFrom('knowledge_facts')
      .selectAll()
      .where('subject', 'in', subjects)
      .orderBy('confidence', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute()
    return rows.map(fromRow)
  }

  async countReads(ids: string[]): Promise<void> {
    if (ids.length === 0) return
    await this.db
      .updateTable('knowledge_facts')
      .set({ reads: sql`reads + 1` })
      .where('id', 'in', [...new Set(ids)].sort())
      .execute()
  }

  async recordUses(taskId: string, ids: string[], atMs: number): Promise<void> {
    if (ids.length === 0) return
    await this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('knowledge_uses')
        .values([...new Set(ids)].map((id) => ({ task_id: taskId, fact_id: id, read_at: atMs })))
        .onConflict((oc) => oc.columns(['task_id', 'fact_id']).doNothing())
        .returning('fact_id')
        .execute()
      await bump(tx, inserted, 'tasks')
    })
  }

  async settleUses(taskId: string, outcome: UseOutcome): Promise<number> {
    // Every task that ends comes here; most read no fact: a read, not a write, answers those.
    const open = await this.db
      .selectFrom('knowledge_uses')
      .select('fact_id')
      .where('task_id', '=', taskId)
      .where('outcome', 'is', null)
      .limit(1)
      .executeTakeFirst()
    if (!open) return 0
    return this.db.transaction().execute(async (tx) => {
      const settled = await tx
        .updateTable('knowledge_uses')
        .set({ outcome })
        .where('task_id', '=', taskId)
        .where('outcome', 'is', null)
        .returning('fact_id')
        .execute()
      if (outcome !== 'canceled') await bump(tx, settled, outcome)
      return outcome === 'canceled' ? 0 : settled.length
    })
  }

  rateUses(taskId: string, stars: number): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const rated = await tx
        .updateTable('knowledge_uses')
        .set({ rating: stars })
        .where('task_id', '=', taskId)
        .where('rating', 'is', null)
        .returning('fact_id')
        .execute()
      await bump(tx, rated, 'rating_count')
      await bump(tx, rated, 'rating_sum', stars)
      return rated.length
    })
  }
}

/** Adds `by` to a counter of the facts named in `rows`. */
async function bump(
  tx: Transaction<Database>,
  rows: Array<{ fact_id: string }>,
  column: 'tasks' | 'completed' | 'failed' | 'rating_count' | 'rating_sum',
  by = 1,
): Promise<void> {
  if (rows.length === 0) return
  await tx
    .updateTable('knowledge_facts')
    .set({ [column]: sql`${sql.ref(column)} + ${by}` })
    .where('id', 'in', rows.map((r) => r.fact_id).sort())
    .execute()
}
