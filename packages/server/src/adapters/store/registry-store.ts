import type { AgentCard, Capability } from '@agentmesh/protocol'
import { parseAmount } from '@agentmesh/protocol'
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely'
import { searchWords } from '../../core/discovery/search-words.js'
import type {
  AgentRecord,
  AgentVersion,
  CapabilityEmbeddings,
  CapabilityMatch,
  CapabilityQuery,
  RegistryEvent,
  RegistryEventType,
  RegistryStore,
  StoredEmbedding,
} from '../../core/registry/registry-store.js'
import { toMs, toMsOrNull, type Database } from './database.js'
import { embeddingBytes, embeddingOf } from './embedding-column.js'
import { CAPABILITY_COLUMNS, type CapabilityRow, type StoreDialect } from './store-dialect.js'

type NewEvent = Omit<RegistryEvent, 'seq'>

/** Micro-units as 24 zero-padded digits: text order is numeric order up to the money maximum. */
export function priceKey(micros: bigint): string {
  return micros.toString().padStart(24, '0')
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`)

function capabilityRows(card: AgentCard, embeddings: CapabilityEmbeddings | undefined) {
  return card.capabilities.map((capability, i) => ({
    agent_id: card.did,
    capability_id: capability.id,
    description: capability.description,
    agent_name: card.name,
    price_key: priceKey(parseAmount(capability.pricing.amount)),
    currency: capability.pricing.currency,
    timeout_ms: capability.sla.timeoutMs,
    p95_latency_ms: capability.sla.p95LatencyMs ?? null,
    concurrency: card.concurrency ?? 1,
    tags: ` ${(capability.tags ?? []).join(' ')} `,
    search_title: searchWords(
      [card.name, capability.id, ...(capability.tags ?? [])].join(' '),
    ).join(' '),
    search_body: searchWords(`${card.description} ${capability.description}`).join(' '),
    capability: JSON.stringify(capability),
    ...embeddingColumns(embeddings?.model, embeddings?.vectors[i]),
  }))
}

function embeddingColumns(model: string | undefined, vector: Float32Array | undefined) {
  return model === undefined || vector === undefined
    ? {}
    : { embedding: embeddingBytes(vector), embedding_model: model }
}

/** The query's filters on the capabilities table `c`, as SQL conditions (at least one). */
export function filters(query: CapabilityQuery): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [sql`1 = 1`]
  if (query.capabilityId !== undefined) {
    conditions.push(sql`c.capability_id = ${query.capabilityId}`)
  }
  for (const tag of query.tags ?? []) {
    conditions.push(sql`c.tags like ${`% ${escapeLike(tag)} %`} escape ${sql.lit('\\')}`)
  }
  if (query.currency !== undefined) conditions.push(sql`c.currency = ${query.currency}`)
  if (query.maxPriceMicros !== undefined) {
    conditions.push(sql`c.price_key <= ${priceKey(query.maxPriceMicros)}`)
  }
  if (query.agentIds !== undefined) {
    conditions.push(sql`c.agent_id in (${sql.join(query.agentIds)})`)
  }
  if (query.excludeAgentIds !== undefined && query.excludeAgentIds.length > 0) {
    conditions.push(sql`c.agent_id not in (${sql.join(query.excludeAgentIds)})`)
  }
  if (query.keys !== undefined) conditions.push(sql`c.id in (${sql.join(query.keys)})`)
  return conditions
}

/** The registry on Kysely; full-text search is the dialect's. */
export class KyselyRegistryStore implements RegistryStore {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
  ) {}

  put(
    record: AgentRecord,
    event: NewEvent,
    embeddings?: CapabilityEmbeddings,
  ): Promise<RegistryEvent | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const values = {
        agent_id: record.agentId,
        name: record.card.name,
        version: record.version,
        card: JSON.stringify(record.card),
        jws: record.jws,
        registered_at: record.registeredAtMs,
        updated_at: record.updatedAtMs,
        removed_at: null,
      }
      const written = await trx
        .insertInto('agents')
        .values(values)
        .onConflict((oc) =>
          oc
            .column('agent_id')
            .doUpdateSet({
              name: values.name,
              version: values.version,
              card: values.card,
              jws: values.jws,
              updated_at: values.updated_at,
              removed_at: null,
            })
            .where('agents.version', '<', values.version),
        )
        .executeTakeFirst()
      if (Number(written.numInsertedOrUpdatedRows ?? 0n) === 0) return undefined
      await trx
        .insertInto('agent_versions')
        .values({
          agent_id: record.agentId,
          version: record.version,
          jws: record.jws,
          at: record.updatedAtMs,
        })
        .execute()
      await trx.deleteFrom('capabilities').where('agent_id', '=', record.agentId).execute()
      await trx.insertInto('capabilities').values(capabilityRows(record.card, embeddings)).execute()
      return appendEvent(trx, event)
    })
  }

  async get(agentId: string): Promise<AgentRecord | undefined> {
    const row = await this.db
      .selectFrom('agents')
      .selectAll()
      .where('agent_id', '=', agentId)
      .executeTakeFirst()
    if (!row) return undefined
    return {
      agentId: row.agent_id,
      card: JSON.parse(row.card) as AgentCard,
      jws: row.jws,
      version: Number(row.version),
      registeredAtMs: toMs(row.registered_at),
      updatedAtMs: toMs(row.updated_at),
      removedAtMs: toMsOrNull(row.removed_at),
    }
  }

  remove(agentId: string, atMs: number, event: NewEvent): Promise<RegistryEvent | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .updateTable('agents')
        .set({ removed_at: atMs })
        .where('agent_id', '=', agentId)
        .where('removed_at', 'is', null)
        .executeTakeFirst()
      if (Number(removed.numUpdatedRows) === 0) return undefined
      await trx.deleteFrom('capabilities').where('agent_id', '=', agentId).execute()
      return appendEvent(trx, event)
    })
  }

  async versions(agentId: string): Promise<AgentVersion[]> {
    const rows = await this.db
      .selectFrom('agent_versions')
      .selectAll()
      .where('agent_id', '=', agentId)
      .orderBy('version')
      .execute()
    return rows.map((r) => ({
      agentId: r.agent_id,
      version: Number(r.version),
      jws: r.jws,
      atMs: toMs(r.at),
    }))
  }

  async match(query: CapabilityQuery): Promise<CapabilityMatch[]> {
    if (query.agentIds !== undefined && query.agentIds.length === 0) return []
    if (query.keys !== undefined && query.keys.length === 0) return []
    const conditions = filters(query)
    const where = sql<boolean>`${sql.join(conditions, sql` and `)}`
    const rows: CapabilityRow[] =
      query.terms.length === 0
        ? await this.db
            .selectFrom('capabilities as c')
            .select(CAPABILITY_COLUMNS)
            .$if(query.withCapability === true, (q) => q.select('c.capability'))
            .$if(query.withEmbedding === true, (q) => q.select('c.embedding'))
            .select(sql<number>`0`.as('relevance'))
            .where(where)
            .orderBy('c.price_key')
            .orderBy('c.id')
            .limit(query.limit)
            .execute()
        : await this.dialect.fullText.search(this.db, query, {
            where,
            filtered: conditions.length > 1,
          })
    return rows.map((r) => ({
      key: Number(r.id),
      agentId: r.agent_id,
      agentName: r.agent_name,
      capabilityId: r.capability_id,
      description: r.description,
      priceMicros: BigInt(r.price_key),
      currency: r.currency,
      timeoutMs: r.timeout_ms,
      p95LatencyMs: r.p95_latency_ms,
      concurrency: r.concurrency,
      relevance: Number(r.relevance),
      ...(r.capability === undefined ? {} : { capability: JSON.parse(r.capability) as Capability }),
      ...(r.embedding === undefined ? {} : { embedding: embeddingOf(r.embedding) }),
    }))
  }

  async embeddings(
    scope: { afterKey: number; limit: number } | { agentId: string },
  ): Promise<StoredEmbedding[]> {
    let query = this.db
      .selectFrom('capabilities')
      .select(['id', 'agent_id', 'embedding', 'embedding_model'])
      .orderBy('id')
    query =
      'agentId' in scope
        ? query.where('agent_id', '=', scope.agentId)
        : query.where('id', '>', scope.afterKey).limit(scope.limit)
    const rows = await query.execute()
    return rows.map((r) => ({
      key: Number(r.id),
      agentId: r.agent_id,
      model: r.embedding_model,
      vector: embeddingOf(r.embedding),
    }))
  }

  async setEmbeddings(model: string, rows: { key: number; vector: Float32Array }[]): Promise<void> {
    if (rows.length === 0) return
    await this.db.transaction().execute(async (trx) => {
      for (const { key, vector } of rows) {
        await trx
          .updateTable('capabilities')
          .set({ embedding: embeddingBytes(vector), embedding_model: model })
          .where('id', '=', key)
          .execute()
      }
    })
  }

  async capabilities(
    keys: { agentId: string; capabilityId: string }[],
  ): Promise<Map<string, Capability>> {
    const found = new Map<string, Capability>()
    if (keys.length === 0) return found
    const rows = await this.db
      .selectFrom('capabilities')
      .select(['agent_id', 'capability_id', 'capability'])
      .where((eb) =>
        eb.or(
          keys.map((k) =>
            eb.and([eb('agent_id', '=', k.agentId), eb('capability_id', '=', k.capabilityId)]),
          ),
        ),
      )
      .execute()
    for (const row of rows) {
      found.set(`${row.agent_id} ${row.capability_id}`, JSON.parse(row.capability) as Capability)
    }
    return found
  }

  appendEvent(event: NewEvent): Promise<RegistryEvent> {
    return appendEvent(this.db, event)
  }

  async eventsAfter(seq: number, limit: number): Promise<RegistryEvent[]> {
    const rows = await this.db
      .selectFrom('registry_events')
      .selectAll()
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(limit)
      .execute()
    return rows.map((r) => ({
      seq: Number(r.seq),
      type: r.type as RegistryEventType,
      agentId: r.agent_id,
      atMs: toMs(r.at),
      data: JSON.parse(r.data) as Record<string, unknown>,
    }))
  }

  async lastEventSeq(): Promise<number> {
    const row = await this.db
      .selectFrom('registry_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst()
    return row?.seq == null ? 0 : Number(row.seq)
  }
}

async function appendEvent(
  db: Kysely<Database> | Transaction<Database>,
  event: NewEvent,
): Promise<RegistryEvent> {
  const row = await db
    .insertInto('registry_events')
    .values({
      type: event.type,
      agent_id: event.agentId,
      at: event.atMs,
      data: JSON.stringify(event.data),
    })
    .returning('seq')
    .executeTakeFirstOrThrow()
  return { ...event, seq: Number(row.seq) }
}
