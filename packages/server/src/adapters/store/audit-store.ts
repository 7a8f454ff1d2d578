import { canonicalize } from '@agentmesh/protocol'
import { sql, type Kysely, type Selectable } from 'kysely'
import type {
  AuditHeadRecord,
  AuditQuery,
  AuditRecord,
  AuditStore,
} from '../../core/audit/audit-store.js'
import { toMs, type Database } from './database.js'
import { Prepared, PreparedList, type ItemParam, type Param } from './prepared.js'

type EntryRow = Selectable<Database['audit_entries']>
/** A record as written: its details as canonical JSON text. */
type StoredRecord = AuditRecord & { detailsText: string }

/** Parses stored details; a value that is not JSON (a damaged row) comes back as its raw text. */
function parseDetails(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

function recordOf(row: EntryRow): AuditRecord {
  return {
    seq: toMs(row.seq),
    timeMs: toMs(row.time_ms),
    actor: row.actor,
    action: row.action,
    resource: row.resource,
    result: row.result as AuditRecord['result'],
    details: parseDetails(row.details),
    leafHash: row.leaf_hash,
    chainHash: row.chain_hash,
  }
}

/** Hard cap on the leaf hashes one call reads, whatever the caller asks. */
const MAX_LEAVES_PER_READ = 65_536

/**
 * The audit log in SQL. An append bumps the one-row tail (`update … returning`), which takes the
 * row's write lock until commit: on PostgreSQL a second process's append waits and then sees the
 * new tail, so appends from any number of nodes form one chain; SQLite serializes writers anyway.
 * The primary key on seq is the last line of defence.
 */
export class KyselyAuditStore implements AuditStore {
  readonly #bumpTail = new Prepared((p: Param<{ count: number }>) =>
    this.db
      .updateTable('audit_tail')
      .set({ seq: sql`seq + ${p('count')}` })
      .where('id', '=', 1)
      .returning(['seq', 'chain_hash']),
  )
  readonly #setTailHash = new Prepared((p: Param<{ chainHash: string }>) =>
    this.db
      .updateTable('audit_tail')
      .set({ chain_hash: p('chainHash') })
      .where('id', '=', 1),
  )

  readonly #insert = new PreparedList(16, (size, item: ItemParam<StoredRecord>) =>
    this.db.insertInto('audit_entries').values(
      Array.from({ length: size }, (_, i) => ({
        seq: item(i, 'seq'),
        time_ms: item(i, 'timeMs'),
        actor: item(i, 'actor'),
        action: item(i, 'action'),
        resource: item(i, 'resource'),
        result: item(i, 'result'),
        details: item(i, 'detailsText'),
        leaf_hash: item(i, 'leafHash'),
        chain_hash: item(i, 'chainHash'),
      })),
    ),
  )

  constructor(readonly db: Kysely<Database>) {}

  append(
    count: number,
    build: (tail: { seq: number; chainHash: string }) => AuditRecord[],
  ): Promise<AuditRecord[]> {
    return this.db.transaction().execute(async (trx) => {
      const tail = await this.#bumpTail.first(trx, { count })
      if (!tail) throw new Error('The audit log has no tail row')
      const first = toMs(tail.seq) - count + 1
      const records = build({ seq: first - 1, chainHash: tail.chain_hash })
      records.forEach((record, i) => {
        if (record.seq !== first + i)
          throw new Error(`Audit append built seq ${record.seq}, expected ${first + i}`)
      })
      if (records.length !== count)
        throw new Error(`Audit append built ${records.length} entries, expected ${count}`)
      await this.#insert.run(
        trx,
        records.map((record) => ({
          ...record,
          detailsText: record.detailsText ?? canonicalize(record.details),
        })),
      )
      await this.#setTailHash.run(trx, { chainHash: records.at(-1)!.chainHash })
      return records
    })
  }

  async size(): Promise<number> {
    const row = await this.db
      .selectFrom('audit_tail')
      .select('seq')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow()
    return toMs(row.seq)
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    let select = this.db.selectFrom('audit_entries').selectAll()
    if (query.actor !== undefined) select = select.where('actor', '=', query.actor)
    if (query.action !== undefined) select = select.where('action', '=', query.action)
    if (query.fromMs !== undefined) select = select.where('time_ms', '>=', query.fromMs)
    if (query.toMs !== undefined) select = select.where('time_ms', '<', query.toMs)
    if (query.afterSeq !== undefined) select = select.where('seq', '>', query.afterSeq)
    const rows = await select.orderBy('seq', 'asc').limit(query.limit).execute()
    return rows.map(recordOf)
  }

  async get(seq: number): Promise<AuditRecord | undefined> {
    const row = await this.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('seq', '=', seq)
      .executeTakeFirst()
    return row && recordOf(row)
  }

  async leafHashes(fromSeq: number, toSeq: number): Promise<string[]> {
    if (toSeq - fromSeq > MAX_LEAVES_PER_READ) {
      throw new RangeError(`Read of ${toSeq - fromSeq} leaves exceeds ${MAX_LEAVES_PER_READ}`)
    }
    const rows = await this.db
      .selectFrom('audit_entries')
      .select('leaf_hash')
      .where('seq', '>=', fromSeq)
      .where('seq', '<', toSeq)
      .orderBy('seq', 'asc')
      .execute()
    return rows.map((row) => row.leaf_hash)
  }

  async putHead(head: AuditHeadRecord): Promise<void> {
    await this.db
      .insertInto('audit_heads')
      .values({
        signer: head.signer,
        size: head.size,
        root: head.root,
        time_ms: head.timeMs,
        jws: head.jws,
      })
      .onConflict((oc) => oc.columns(['signer', 'size']).doNothing())
      .execute()
  }

  async latestHead(signer: string): Promise<AuditHeadRecord | undefined> {
    const row = await this.db
      .selectFrom('audit_heads')
      .selectAll()
      .where('signer', '=', signer)
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst()
    return (
      row && {
        signer: row.signer,
        size: toMs(row.size),
        root: row.root,
        timeMs: toMs(row.time_ms),
        jws: row.jws,
      }
    )
  }
}
