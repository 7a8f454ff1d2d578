import type { Kysely, Transaction } from 'kysely'
import type {
  AggregateKey,
  AggregateUpdate,
  OutcomeClaim,
  OutcomeUpdate,
  Presence,
  Rating,
  ReputationAggregate,
  ReputationStore,
} from '../../core/reputation/reputation-store.js'
import { toMs, toMsOrNull, type Database, type ReputationAggregateRow } from './database.js'
import { Prepared, PreparedList, type ItemParam, type Param } from './prepared.js'
import type { StoreDialect } from './store-dialect.js'

type Db = Kysely<Database> | Transaction<Database>

interface ClaimRow {
  task_id: string
  agent_id: string
  at: number
}
interface AggregateKeyParams {
  agentId: string
  capabilityId: string
}
type AggregateColumns = Omit<ReputationAggregateRow, 'agent_id' | 'capability_id'>
/** The columns an aggregate's rewrite sets: every one but the key. */
const AGGREGATE_COLUMNS = [
  'calls',
  'successes',
  'failures',
  'timeouts',
  'canceled',
  'disputed',
  'ratings',
  'rating_stars_total',
  'decayed_successes',
  'decayed_failures',
  'decayed_rating_weight',
  'decayed_rating_stars',
  'decayed_at',
  'latency',
  'last_outcome_at',
  'updated_at',
] as const satisfies readonly (keyof AggregateColumns)[]

/** Largest number of ids in one `in (…)` list. */
const CHUNK = 500

/** Most outcome claims one `insert` carries (three parameters each, below SQLite's 999). */
const CLAIM_CHUNK = 250

/**
 * Reputation's tables on Kysely. Read-modify-writes run in one transaction and lock the rows
 * (the dialect's `lockRows`, in key order so two writers never deadlock).
 */
export class KyselyReputationStore implements ReputationStore {
  readonly #db: Kysely<Database>
  readonly #dialect: StoreDialect

  // Every task outcome reads and rewrites two aggregates: those statements are built once.
  readonly #select = new Prepared((p: Param<AggregateKeyParams>) =>
    this.#db
      .selectFrom('reputation_aggregates')
      .selectAll()
      .where('agent_id', '=', p('agentId'))
      .where('capability_id', '=', p('capabilityId')),
  )
  readonly #selectForUpdate = new Prepared((p: Param<AggregateKeyParams>) =>
    this.#dialect.lockRows(
      this.#db
        .selectFrom('reputation_aggregates')
        .selectAll()
        .where('agent_id', '=', p('agentId'))
        .where('capability_id', '=', p('capabilityId')),
    ),
  )
  readonly #update = new Prepared((p: Param<AggregateColumns & AggregateKeyParams>) =>
    this.#db
      .updateTable('reputation_aggregates')
      .set(Object.fromEntries(AGGREGATE_COLUMNS.map((c) => [c, p(c)])) as AggregateColumns)
      .where('agent_id', '=', p('agentId'))
      .where('capability_id', '=', p('capabilityId')),
  )

  readonly #insertClaims = new PreparedList(CLAIM_CHUNK, (size, item: ItemParam<ClaimRow>) =>
    this.#db
      .insertInto('reputation_outcomes')
      .values(
        Array.from({ length: size }, (_, i) => ({
          task_id: item(i, 'task_id'),
          agent_id: item(i, 'agent_id'),
          at: item(i, 'at'),
        })),
      )
      .onConflict((oc) => oc.columns(['task_id', 'agent_id']).doNothing())
      .returning(['task_id', 'agent_id']),
  )

  constructor(db: Kysely<Database>, dialect: StoreDialect) {
    this.#db = db
    this.#dialect = dialect
  }

  getAggregate(key: AggregateKey): Promise<ReputationAggregate | undefined> {
    return this.#selectAggregate(this.#db, key, false)
  }

  async listAggregates(agentIds: string[], capabilityId: string): Promise<ReputationAggregate[]> {
    const result: ReputationAggregate[] = []
    for (let i = 0; i < agentIds.length; i += CHUNK) {
      const rows = await this.#db
        .selectFrom('reputation_aggregates')
        .selectAll()
        .where('agent_id', 'in', agentIds.slice(i, i + CHUNK))
        .where('capability_id', '=', capabilityId)
        .execute()
      result.push(...rows.map(fromRow))
    }
    return result
  }

  recordOutcomes(claims: OutcomeClaim[], update: OutcomeUpdate): Promise<boolean[]> {
    if (claims.length === 0) return Promise.resolve([])
    return this.#db.transaction().execute(async (trx) => {
      const claimed = await this.#claim(trx, claims)
      // Each row once, with the newly claimed outcomes that touch it in batch order.
      const touched = new Map<string, { key: AggregateKey; claimIndexes: number[] }>()
      for (const [index, claim] of claims.entries()) {
        if (!claimed[index]) continue
        for (const key of claim.keys) {
          const id = JSON.stringify([key.agentId, key.capabilityId])
          let entry = touched.get(id)
          if (!entry) touched.set(id, (entry = { key, claimIndexes: [] }))
          if (entry.claimIndexes.at(-1) !== index) entry.claimIndexes.push(index)
        }
      }
      const ordered = [...touched.values()].sort((a, b) => compareKeys(a.key, b.key))
      for (const { key, claimIndexes } of ordered) {
        await this.#rewrite(trx, key, (current) => {
          let next = current
          for (const index of claimIndexes) next = update(next, key, index)
          return next!
        })
      }
      return claimed
    })
  }

  recordRating(rating: Rating, keys: AggregateKey[], update: AggregateUpdate): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('reputation_ratings')
        .values({
          task_id: rating.taskId,
          rater: rating.rater,
          agent_id: rating.agentId,
          capability_id: rating.capabilityId,
          stars: rating.stars,
          paid_micros: rating.paidMicros.toString(),
          currency: rating.currency,
          weight: rating.weight,
          created_at: rating.atMs,
        })
        .onConflict((oc) => oc.column('task_id').doNothing())
        .returning('task_id')
        .executeTakeFirst()
      if (!inserted) return false
      for (const key of [...keys].sort(compareKeys))
        await this.#rewrite(trx, key, (c) => update(c, key))
      return true
    })
  }

  async getRating(taskId: string): Promise<Rating | undefined> {
    const row = await this.#db
      .selectFrom('reputation_ratings')
      .selectAll()
      .where('task_id', '=', taskId)
      .executeTakeFirst()
    return (
      row && {
        taskId: row.task_id,
        rater: row.rater,
        agentId: row.agent_id,
        capabilityId: row.capability_id,
        stars: Number(row.stars),
        paidMicros: BigInt(row.paid_micros),
        currency: row.currency,
        weight: Number(row.weight),
        atMs: toMs(row.created_at),
      }
    )
  }

  getPresence(agentId: string): Promise<Presence | undefined> {
    return this.#selectPresence(this.#db, agentId, false)
  }

  updatePresence(
    agentId: string,
    update: (current: Presence | undefined) => Presence,
  ): Promise<Presence> {
    return this.#db.transaction().execute(async (trx) => {
      let current = await this.#selectPresence(trx, agentId, true)
      if (!current) {
        const created = update(undefined)
        const inserted = await trx
          .insertInto('reputation_presence')
          .values({ agent_id: agentId, ...presenceColumns(created) })
          .onConflict((oc) => oc.column('agent_id').doNothing())
          .returning('agent_id')
          .executeTakeFirst()
        if (inserted) return created
        current = await this.#selectPresence(trx, agentId, true)
      }
      const next = update(current)
      await trx
        .updateTable('reputation_presence')
        .set(presenceColumns(next))
        .where('agent_id', '=', agentId)
        .execute()
      return next
    })
  }

  /**
   * Inserts the claims not yet recorded, in (task, agent) order so that two writers claiming the
   * same pairs never deadlock; answers which claims were new (the first of a pair repeated within
   * the batch only).
   */
  async #claim(trx: Transaction<Database>, claims: OutcomeClaim[]): Promise<boolean[]> {
    const firstIndex = new Map<string, number>()
    for (const [index, claim] of claims.entries()) {
      const id = JSON.stringify([claim.taskId, claim.agentId])
      if (!firstIndex.has(id)) firstIndex.set(id, index)
    }
    const rows = [...firstIndex.values()]
      .map((index) => claims[index]!)
      .sort((a, b) => compare(a.taskId, b.taskId) || compare(a.agentId, b.agentId))
      .map((claim) => ({ task_id: claim.taskId, agent_id: claim.agentId, at: claim.atMs }))
    const claimed = claims.map(() => false)
    for (const row of await this.#insertClaims.run(trx, rows)) {
      const index = firstIndex.get(JSON.stringify([row.task_id, row.agent_id]))
      if (index !== undefined) claimed[index] = true
    }
    return claimed
  }

  /** Locks (or creates) one row and writes what `update` makes of it. */
  async #rewrite(
    trx: Transaction<Database>,
    key: AggregateKey,
    update: (current: ReputationAggregate | undefined) => ReputationAggregate,
  ): Promise<void> {
    let current = await this.#selectAggregate(trx, key, true)
    if (!current) {
      const created = update(undefined)
      const inserted = await trx
        .insertInto('reputation_aggregates')
        .values(toRow(created))
        .onConflict((oc) => oc.columns(['agent_id', 'capability_id']).doNothing())
        .returning('agent_id')
        .executeTakeFirst()
      if (inserted) return
      // Another writer created the row meanwhile: fold into theirs instead.
      current = await this.#selectAggregate(trx, key, true)
    }
    const { agent_id: _a, capability_id: _c, ...columns } = toRow(update(current))
    await this.#update.run(trx, { ...columns, ...key })
  }

  async #selectAggregate(
    db: Db,
    key: AggregateKey,
    lock: boolean,
  ): Promise<ReputationAggregate | undefined> {
    const select = lock ? this.#selectForUpdate : this.#select
    const row = await select.first(db, { agentId: key.agentId, capabilityId: key.capabilityId })
    return row && fromRow(row)
  }

  async #selectPresence(db: Db, agentId: string, lock: boolean): Promise<Presence | undefined> {
    const query = db.selectFrom('reputation_presence').selectAll().where('agent_id', '=', agentId)
    const row = await (lock ? this.#dialect.lockRows(query) : query).executeTakeFirst()
    return (
      row && {
        agentId: row.agent_id,
        firstSeenAtMs: toMs(row.first_seen_at),
        onlineSinceMs: toMsOrNull(row.online_since),
        onlineMs: Number(row.online_ms),
        lastChangeAtMs: toMs(row.last_change_at),
      }
    )
  }
}

/** Binary comparison, the same in every locale and on both databases' lock order. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The order every writer locks aggregate rows in, so that two writers never deadlock. */
function compareKeys(a: AggregateKey, b: AggregateKey): number {
  return compare(a.agentId, b.agentId) || compare(a.capabilityId, b.capabilityId)
}

function presenceColumns(p: Presence) {
  return {
    first_seen_at: p.firstSeenAtMs,
    online_since: p.onlineSinceMs,
    online_ms: p.onlineMs,
    last_change_at: p.lastChangeAtMs,
  }
}

function toRow(a: ReputationAggregate): ReputationAggregateRow {
  return {
    agent_id: a.agentId,
    capability_id: a.capabilityId,
    calls: a.calls,
    successes: a.successes,
    failures: a.failures,
    timeouts: a.timeouts,
    canceled: a.canceled,
    disputed: a.disputed,
    ratings: a.ratings,
    rating_stars_total: a.ratingStarsTotal,
    decayed_successes: a.decayedSuccesses,
    decayed_failures: a.decayedFailures,
    decayed_rating_weight: a.decayedRatingWeight,
    decayed_rating_stars: a.decayedRatingStars,
    decayed_at: a.decayedAtMs,
    latency: JSON.stringify(a.latency),
    last_outcome_at: a.lastOutcomeAtMs,
    updated_at: a.updatedAtMs,
  }
}

function fromRow(row: ReputationAggregateRow): ReputationAggregate {
  return {
    agentId: row.agent_id,
    capabilityId: row.capability_id,
    calls: Number(row.calls),
    successes: Number(row.successes),
    failures: Number(row.failures),
    timeouts: Number(row.timeouts),
    canceled: Number(row.canceled),
    disputed: Number(row.disputed),
    ratings: Number(row.ratings),
    ratingStarsTotal: Number(row.rating_stars_total),
    decayedSuccesses: Number(row.decayed_successes),
    decayedFailures: Number(row.decayed_failures),
    decayedRatingWeight: Number(row.decayed_rating_weight),
    decayedRatingStars: Number(row.decayed_rating_stars),
    decayedAtMs: toMs(row.decayed_at),
    latency: JSON.parse(row.latency) as ReputationAggregate['latency'],
    lastOutcomeAtMs: toMsOrNull(row.last_outcome_at),
    updatedAtMs: toMs(row.updated_at),
  }
}
