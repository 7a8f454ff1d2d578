import type {
  ColumnDataType,
  ColumnDefinitionBuilder,
  CreateTableBuilder,
  Kysely,
  RawBuilder,
  SelectQueryBuilder,
  TransactionBuilder,
} from 'kysely'
import type { CapabilityQuery } from '../../core/registry/registry-store.js'
import type { Database } from './database.js'

/**
 * What differs between the databases the store runs on, and nothing else: the store classes are
 * written once against this, and each database has a folder (`sqlite/`, `postgres/`) holding the
 * same files — `dialect.ts` (this object), `connect.ts`, `errors.ts`, `full-text.ts`, `schema.ts`.
 */
export interface StoreDialect {
  /** Which database this is; the node reports it at `/info`. */
  readonly name: 'sqlite' | 'postgres'
  readonly fullText: FullTextSearch
  readonly schema: SchemaDialect
  /**
   * Locks the rows `query` reads until the transaction ends (`for update`). Where transactions
   * take turns anyway (SQLite's one connection) the query is returned as it is.
   */
  lockRows<DB, TB extends keyof DB, O>(
    query: SelectQueryBuilder<DB, TB, O>,
  ): SelectQueryBuilder<DB, TB, O>
  /** A transaction whose reads all see one snapshot of the database, even across many queries. */
  snapshot(transaction: TransactionBuilder<Database>): TransactionBuilder<Database>
  /** Whether `error` is a unique-constraint (or primary-key) violation. */
  isUniqueViolation(error: unknown): boolean
  /**
   * Whether the transaction that threw `error` lost a race with another (a serialization
   * failure, a deadlock, a concurrent insert of the same key) and may simply be run again.
   */
  isRetryable(error: unknown): boolean
  /** Whether `error` means the database cannot be reached for now (down, restarting). */
  isUnavailable(error: unknown): boolean
}

/** The columns a capability search reads from the capabilities table, aliased `c`. */
export const CAPABILITY_COLUMNS = [
  'c.id',
  'c.agent_id',
  'c.agent_name',
  'c.capability_id',
  'c.description',
  'c.price_key',
  'c.currency',
  'c.timeout_ms',
  'c.p95_latency_ms',
  'c.concurrency',
] as const

/** One capability a search found; `relevance` is higher for a better match. */
export interface CapabilityRow {
  id: number | string
  agent_id: string
  agent_name: string
  capability_id: string
  description: string
  price_key: string
  currency: string
  timeout_ms: number
  p95_latency_ms: number | null
  concurrency: number
  relevance: number
  /** The stored capability, read when the query asks `withCapability`. */
  capability?: string
  /** The stored embedding, read when the query asks `withEmbedding`. */
  embedding?: Uint8Array | null
}

/** Full-text search over the capabilities' `search_title` (weighted more) and `search_body`. */
export interface FullTextSearch {
  /**
   * The best `query.limit` capabilities matching any of `query.terms` (as word prefixes) and
   * `filter.where` (a condition on `c`), best first, ties by `c.id`. `filter.filtered` says
   * whether `where` filters anything.
   */
  search(
    db: Kysely<Database>,
    query: CapabilityQuery,
    filter: { where: RawBuilder<boolean>; filtered: boolean },
  ): Promise<CapabilityRow[]>
  /** Adds the columns the index needs to the `capabilities` table being created. */
  addColumns(
    table: CreateTableBuilder<'capabilities', string>,
  ): CreateTableBuilder<'capabilities', string>
  /** Creates the index over `capabilities`, kept up to date by the database from then on. */
  createIndex(db: Kysely<unknown>): Promise<void>
}

/** The schema statements that differ, for the migrations. */
export interface SchemaDialect {
  /** An auto-incrementing 64-bit integer primary key: its type and its definition. */
  readonly serialKey: {
    type: ColumnDataType
    define: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder
  }
  /** A column of bytes. */
  readonly bytesType: ColumnDataType
  /** The text at `key` in the JSON object stored in the TEXT column `column` (null when absent). */
  jsonText(column: string, key: string): RawBuilder<string | null>
  /** Widens an INTEGER column to 64 bits; nothing to do where INTEGER has 64 bits already. */
  widenToBigint(db: Kysely<unknown>, table: string, column: string): Promise<void>
}
