import { sql, type Kysely, type RawBuilder } from 'kysely'
import type {
  CapabilityKey,
  Listing,
  ListingKey,
  ListingQuery,
  MarketplaceSort,
  MarketplaceStore,
} from '../../core/marketplace/marketplace-store.js'
import type { Database } from './database.js'
import { filters, priceKey } from './registry-store.js'

const completedCalls = sql<number | string>`coalesce(r.successes, 0)`
const featuredFlag = sql<number | string>`case when f.agent_id is null then 0 else 1 end`

interface SortColumn {
  expr: RawBuilder<unknown>
  desc: boolean
  value: (key: ListingKey) => unknown
}

const byAgent: SortColumn = { expr: sql`c.agent_id`, desc: false, value: (k) => k.agentId }
const byCapability: SortColumn = {
  expr: sql`c.capability_id`,
  desc: false,
  value: (k) => k.capabilityId,
}
const byCalls: SortColumn = { expr: completedCalls, desc: true, value: (k) => k.completedCalls }

/** Each order's columns; the ids last, so the order is total. */
const ORDERS: Record<MarketplaceSort, SortColumn[]> = {
  popular: [byCalls, byAgent, byCapability],
  featured: [
    { expr: featuredFlag, desc: true, value: (k) => (k.featured ? 1 : 0) },
    byCalls,
    byAgent,
    byCapability,
  ],
  price: [
    { expr: sql`c.price_key`, desc: false, value: (k) => priceKey(k.priceMicros) },
    byAgent,
    byCapability,
  ],
}

/** Rows strictly after `key` in the order of `columns` (a keyset condition). */
function after(columns: SortColumn[], key: ListingKey): RawBuilder<unknown> {
  const alternatives = columns.map((column, i) => {
    const equal = columns.slice(0, i).map((c) => sql`${c.expr} = ${c.value(key)}`)
    const beyond = column.desc
      ? sql`${column.expr} < ${column.value(key)}`
      : sql`${column.expr} > ${column.value(key)}`
    return sql`(${sql.join([...equal, beyond], sql` and `)})`
  })
  return sql`(${sql.join(alternatives, sql` or `)})`
}

/**
 * The marketplace on Kysely: the registry's capabilities (with its tag filter) left-joined to
 * reputation's per-capability aggregates and to the featured marks, ordered and paged by keyset.
 */
export class KyselyMarketplaceStore implements MarketplaceStore {
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async list(query: ListingQuery): Promise<Listing[]> {
    const columns = ORDERS[query.sort]
    const conditions = filters({
      terms: [],
      limit: query.limit,
      ...(query.category === undefined ? {} : { tags: [query.category] }),
    })
    if (query.after) conditions.push(after(columns, query.after))
    let select = this.#db
      .selectFrom('capabilities as c')
      .leftJoin('reputation_aggregates as r', (join) =>
        join
          .onRef('r.agent_id', '=', 'c.agent_id')
          .onRef('r.capability_id', '=', 'c.capability_id'),
      )
      .leftJoin('capability_featured as f', (join) =>
        join
          .onRef('f.agent_id', '=', 'c.agent_id')
          .onRef('f.capability_id', '=', 'c.capability_id'),
      )
      .select([
        'c.agent_id',
        'c.agent_name',
        'c.capability_id',
        'c.description',
        'c.tags',
        'c.price_key',
        'c.currency',
      ])
      .select([completedCalls.as('completed_calls'), featuredFlag.as('featured')])
      .where(sql<boolean>`${sql.join(conditions, sql` and `)}`)
    for (const column of columns) select = select.orderBy(column.expr, column.desc ? 'desc' : 'asc')
    const rows = await select.limit(query.limit).execute()
    return rows.map((r) => ({
      agentId: r.agent_id,
      agentName: r.agent_name,
      capabilityId: r.capability_id,
      description: r.description,
      tags: r.tags.split(' ').filter((tag) => tag !== ''),
      priceMicros: BigInt(r.price_key),
      currency: r.currency,
      completedCalls: Number(r.completed_calls),
      featured: Number(r.featured) === 1,
    }))
  }

  async setFeatured(key: CapabilityKey, mark: { by: string; atMs: number } | null): Promise<void> {
    if (mark === null) {
      await this.#db
        .deleteFrom('capability_featured')
        .where('agent_id', '=', key.agentId)
        .where('capability_id', '=', key.capabilityId)
        .execute()
      return
    }
    // A capability already featured keeps who featured it first and when.
    await this.#db
      .insertInto('capability_featured')
      .values({
        agent_id: key.agentId,
        capability_id: key.capabilityId,
        featured_by: mark.by,
        featured_at: mark.atMs,
      })
      .onConflict((oc) => oc.columns(['agent_id', 'capability_id']).doNothing())
      .execute()
  }
}
