/**
 * The interfaces the domain core needs from the outside world. Adapters implement them; the core
 * imports nothing else that does I/O, so tests can drive time, randomness and storage.
 */
import type { AgentCard, Capability, Role } from '@agentmesh/protocol'
import type { NegotiationStore } from './negotiation/negotiation-types.js'
import type { PipelineStore } from './pipelines/pipeline-service.js'
import type { Candidate, Task } from './tasks/task-types.js'
import type { MarketplaceStore } from './marketplace/marketplace-store.js'
import type { ReputationStore } from './reputation/reputation-store.js'
import type { Account, PendingState, Transfer, TransferCode } from './ledger/types.js'

/** Wall-clock time in epoch milliseconds. */
export interface Clock {
  now(): number
}

/** Cryptographically strong random bytes. */
export interface Random {
  bytes(length: number): Uint8Array
}

/** Structured logging; `fields` come first as in pino. */
export interface Logger {
  debug(fields: object, message: string): void
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

/** A key known to the node, with what it may do. */
export interface Principal {
  did: string
  roles: Role[]
  createdAtMs: number
}

/** A session: a bearer token, stored only as its SHA-256 hash. */
export interface Session {
  tokenHash: string
  did: string
  createdAtMs: number
  /** `null` for a session that does not expire (the admin token). */
  expiresAtMs: number | null
  revokedAtMs: number | null
}

/** A challenge handed out to a DID, consumed by the first attempt to answer it. */
export interface Nonce {
  nonce: string
  did: string
  expiresAtMs: number
}

export interface PrincipalStore {
  get(did: string): Promise<Principal | undefined>
  /** Inserts the principal, or, when it exists, sets its roles. */
  put(principal: Principal): Promise<void>
  /** Removes the principal; answers whether it existed. */
  delete(did: string): Promise<boolean>
}

/**
 * A permission an admin granted a principal: an action on a kind of resource, within a scope,
 * until an optional expiry (see `core/auth/permission-service.ts` for what each kind means).
 */
export interface Permission {
  id: string
  did: string
  resource: string
  action: string
  /** Limits of the grant, e.g. `{ capability: 'text.*', maxPrice: '0.01' }`; none: the whole kind. */
  scope: Record<string, string>
  expiresAtMs: number | null
  grantedBy: string
  grantedAtMs: number
}

/** Permissions as stored, by principal. */
export interface PermissionStore {
  insert(permission: Permission): Promise<void>
  /** The principal's permissions, expired ones included, oldest first. */
  list(did: string): Promise<Permission[]>
  /** Removes one of the principal's permissions; answers whether it existed. */
  delete(did: string, id: string): Promise<boolean>
  /** Removes all of the principal's permissions (the principal was removed). */
  deleteAll(did: string): Promise<void>
}

export interface SessionStore {
  insert(session: Session): Promise<void>
  get(tokenHash: string): Promise<Session | undefined>
  /** Marks the session revoked; answers whether a live session was revoked. */
  revoke(tokenHash: string, atMs: number): Promise<boolean>
  /** Revokes every live session of `did`; answers how many. */
  revokeAll(did: string, atMs: number): Promise<number>
}

export interface NonceStore {
  insert(nonce: Nonce): Promise<void>
  /** Removes and returns the nonce in one step, so that it can be used only once. */
  take(nonce: string): Promise<Nonce | undefined>
  /** Removes the nonces that expired before `nowMs`; answers how many. */
  deleteExpired(nowMs: number): Promise<number>
}

/** What happened, as the audit log records it. */
export interface AuditEvent {
  /** The DID that acted (or the node's DID for the node's own actions). */
  actor: string
  /** A dotted verb, e.g. `auth.login`, `agent.register`, `task.completed`, `transfer.posted`. */
  action: string
  /** What it acted on, e.g. `agent:did:key:…`, `task:01J…`, `transfer:…`. */
  resource: string
  result: 'ok' | 'denied' | 'error'
  details?: Record<string, unknown>
}

/** Where services report what happened; the audit log implements it. */
export interface AuditSink {
  record(event: AuditEvent): Promise<void>
}

/** An audit entry as stored: the hashed fields plus its leaf hash and chain hash (hex). */
export interface AuditRecord {
  seq: number
  timeMs: number
  actor: string
  action: string
  resource: string
  result: AuditEvent['result']
  /** Parsed details; a stored value that is not JSON comes back as its raw text. */
  details: unknown
  /** The canonical JSON of `details`, when the writer has it at hand. */
  detailsText?: string
  leafHash: string
  chainHash: string
}

/** A signed tree head as stored, keyed by signer and size. */
export interface AuditHeadRecord {
  signer: string
  size: number
  root: string
  timeMs: number
  /** Compact JWS over the canonical JSON `{size, root, time}`. */
  jws: string
}

/** Filters for reading the log; every field narrows, `afterSeq` pages. */
export interface AuditQuery {
  actor?: string
  action?: string
  fromMs?: number
  toMs?: number
  afterSeq?: number
  limit: number
}

/** The audit log's storage: append-only entries and signed tree heads. */
export interface AuditStore {
  /**
   * Appends `count` entries as the new tail, atomically: `build` receives the committed tail (seq
   * 0 and the zero hash for an empty log) and returns the records to store, with seqs from
   * `tail.seq + 1` on. Appends from several processes on one database form one chain.
   */
  append(
    count: number,
    build: (tail: { seq: number; chainHash: string }) => AuditRecord[],
  ): Promise<AuditRecord[]>
  /** The number of committed entries (the tail's seq). */
  size(): Promise<number>
  list(query: AuditQuery): Promise<AuditRecord[]>
  get(seq: number): Promise<AuditRecord | undefined>
  /** Leaf hashes of entries with `fromSeq <= seq < toSeq`, in seq order. */
  leafHashes(fromSeq: number, toSeq: number): Promise<string[]>
  /** Stores a head; a second head of the same signer and size is ignored. */
  putHead(head: AuditHeadRecord): Promise<void>
  /** The largest head this signer has signed. */
  latestHead(signer: string): Promise<AuditHeadRecord | undefined>
}

/** One payee's share of a settlement. */
export interface EscrowPayment {
  payee: string
  amountMicros: bigint
}

/**
 * Escrow, as the task flow sees the ledger: reserve before dispatch, then settle or release
 * exactly once, and perhaps refund once. Every call is idempotent per `reservationId`: repeating it
 * (also concurrently) moves no more money. Settling after a release, or releasing after a settle,
 * moves no money and throws PENDING_ALREADY_RESOLVED. `test/core/ledger/escrow-contract.ts` checks
 * every implementation against these promises.
 */
export interface Escrow {
  /**
   * Moves `amountMicros` from the payer into a pending transfer that lapses after `timeoutMs`;
   * throws INSUFFICIENT_FUNDS or BUDGET_EXCEEDED, and then holds nothing.
   */
  reserve(input: {
    reservationId: string
    payer: string
    currency: string
    amountMicros: bigint
    timeoutMs: number
    /** What the money is for, e.g. the task id. */
    reference: string
  }): Promise<void>
  /**
   * Pays `amountMicros` to the payee (less the platform fee, if any) and returns the rest of the
   * reservation to the payer. With `payments` (a quorum), the reservation is posted once for all of
   * them together and each payee is paid its share; nothing to pay voids the reservation. More
   * than the reservation throws AMOUNT_EXCEEDS_PENDING, an unknown reservation TRANSFER_NOT_FOUND,
   * one past its timeout PENDING_EXPIRED; none of them moves money.
   */
  settle(
    input:
      | { reservationId: string; payee: string; amountMicros: bigint }
      | { reservationId: string; payments: EscrowPayment[] },
  ): Promise<void>
  /** Returns the whole reservation to the payer; an unknown or lapsed one is left as it is. */
  release(reservationId: string): Promise<void>
  /**
   * Gives a settled reservation's payments back to the payer, all of them or `amountMicros`,
   * exactly once (a second refund throws ALREADY_REFUNDED); with `from`, only that payee's.
   * Answers what was refunded.
   */
  refund(input: { reservationId: string; amountMicros?: bigint; from?: string }): Promise<bigint>
}

/** A message on the bus: a topic and a JSON-serializable body. */
export interface BusMessage {
  topic: string
  body: unknown
}

/**
 * Publish/subscribe between the parts of a node (and, in a cluster, between nodes). Topics are
 * dotted (`registry.changed`, `task.01J….event`); a subscription names one exact topic (no
 * prefixes, no wildcards). Delivery is asynchronous: a handler never runs inside `publish`, and a
 * handler that throws stops neither the other handlers nor its own later deliveries. Messages one
 * publisher sends on one topic arrive in the order of its `publish` calls, awaited or not.
 * `test/adapters/bus/bus-contract.ts` checks every implementation against these promises.
 */
export interface Bus {
  /** Sends `body` (JSON) to the topic's subscribers; resolves once sent, not once delivered. */
  publish(topic: string, body: unknown): Promise<void>
  /**
   * Calls `handler` for every message on `topic` until the returned function is called; after
   * that call it is never called again, not even for a message published before it. Calling the
   * returned function again does nothing.
   */
  subscribe(topic: string, handler: (message: BusMessage) => void): () => void
  /** Ends every subscription: once it resolves no handler runs again. Stopping twice is harmless. */
  stop(): Promise<void>
}

/** An agent's measured standing, as discovery ranks with it. */
export interface ReputationSummary {
  agentId: string
  /** Overall score, 0 to 5 (a Bayesian average that decays with age). */
  score: number
  calls: number
  successRate: number | null
  p95LatencyMs: number | null
}

/** Reads reputation summaries for ranking; implemented by the reputation service. */
export interface ReputationSource {
  summaries(agentIds: string[]): Promise<Map<string, ReputationSummary>>
}

/** How a task ended, as reputation (and metrics) consume it. */
export interface TaskOutcome {
  taskId: string
  agentId: string
  capabilityId: string
  requester: string
  result: 'completed' | 'failed' | 'timed_out' | 'canceled' | 'disputed'
  latencyMs: number
  paidMicros: bigint
  currency: string
  atMs: number
}

/** Receives task outcomes as domain events. */
export interface OutcomeSink {
  recordOutcome(outcome: TaskOutcome): Promise<void>
}

/**
 * One ledger transaction. On PostgreSQL the accounts it loads stay locked (rows locked in id order)
 * until it commits, so two writers that touch one account take turns.
 */
export interface LedgerTransaction {
  /** The transfers with these ids that exist (pending ones with their current state). */
  transfers(ids: string[]): Promise<Map<string, Transfer>>
  /** Creates the accounts that do not exist yet (as given), then loads and locks all of them. */
  lockAccounts(accounts: Account[]): Promise<Map<string, Account>>
  saveAccounts(accounts: Account[]): Promise<void>
  insertTransfers(transfers: Transfer[]): Promise<void>
  setPendingStates(states: Map<string, PendingState>): Promise<void>
  /** Visits the transfers out of an account created at or after `sinceMs`, page by page. */
  debitsSince(accountId: string, sinceMs: number, visit: (page: Transfer[]) => void): Promise<void>
}

/** The ledger's storage. Amounts are `bigint` micro-units; the store decides how to keep them. */
export interface LedgerStore {
  /**
   * Runs `work` in one database transaction. When a concurrent writer makes it conflict (a
   * duplicate transfer id, a deadlock), it rolls back and runs `work` again from the start.
   */
  transaction<T>(work: (tx: LedgerTransaction) => Promise<T>): Promise<T>
  account(id: string): Promise<Account | undefined>
  accountsOf(owner: string): Promise<Account[]>
  transfer(id: string): Promise<Transfer | undefined>
  /** Transfers that debit or credit the account, newest first, strictly before the cursor. */
  accountTransfers(
    accountId: string,
    page: { limit: number; before?: { createdAtMs: number; id: string } },
  ): Promise<Transfer[]>
  /** Ids of pending transfers whose timeout has passed, oldest first. */
  duePending(nowMs: number, limit: number): Promise<string[]>
  /** Pending transfers (still held) of a code, by id, strictly after `afterId`. */
  heldTransfers(code: TransferCode, afterId: string, limit: number): Promise<Transfer[]>
  /** Reads every account and every transfer from one consistent snapshot, transfers page by page. */
  scan(visit: {
    accounts(accounts: Account[]): void
    transfers(transfers: Transfer[]): void
  }): Promise<void>
}

/**
 * Group commit: wraps a batch operation so that calls arriving within a short window share one
 * run (one database transaction); each caller gets back the results of its own items.
 */
export interface Batcher {
  wrap<I, R>(run: (items: I[]) => Promise<R[]>): (items: I[]) => Promise<R[]>
}

/** An agent as the registry keeps it: its current signed card. The id is the agent's DID. */
export interface AgentRecord {
  agentId: string
  card: AgentCard
  /** The compact JWS the agent signed the card with; kept so anyone can check it later. */
  jws: string
  version: number
  registeredAtMs: number
  updatedAtMs: number
  /** When the agent was removed from search; its history stays. */
  removedAtMs: number | null
}

/** One signed version of a card, kept for the audit trail even after removal. */
export interface AgentVersion {
  agentId: string
  version: number
  jws: string
  atMs: number
}

export type RegistryEventType = 'registered' | 'updated' | 'removed' | 'online' | 'offline'

/** A registry change, numbered so that a watcher resumes after the last one it saw. */
export interface RegistryEvent {
  seq: number
  type: RegistryEventType
  agentId: string
  atMs: number
  data: Record<string, unknown>
}

/** What a capability search asks the store for; every filter is optional. */
export interface CapabilityQuery {
  /** Normalized search words (lower-case letters and digits); each matches as a prefix. */
  terms: string[]
  capabilityId?: string
  /** Every one of these tags. */
  tags?: string[]
  currency?: string
  maxPriceMicros?: bigint
  /** Only these agents. */
  agentIds?: string[]
  excludeAgentIds?: string[]
  /** How many matches at most: the best by text relevance, or the cheapest without terms. */
  limit: number
  /** Read each match's whole capability too (what the task flow dispatches with). */
  withCapability?: boolean
}

/** A capability row as search reads it, without parsing the card. */
export interface CapabilityMatch {
  agentId: string
  agentName: string
  capabilityId: string
  description: string
  priceMicros: bigint
  currency: string
  timeoutMs: number
  p95LatencyMs: number | null
  concurrency: number
  /** Text relevance from the full-text index, higher is better; 0 without terms. */
  relevance: number
  /** The whole capability, when the query asked `withCapability`. */
  capability?: Capability
}

/** Agents, their capabilities (with a full-text index), signed history and change events. */
export interface RegistryStore {
  /**
   * Writes an agent's card, replaces its capabilities, keeps the signed version and appends the
   * event, in one transaction. Answers undefined, writing nothing, when the stored version is not
   * lower than `record.version`.
   */
  put(record: AgentRecord, event: Omit<RegistryEvent, 'seq'>): Promise<RegistryEvent | undefined>
  /** The agent, removed or not. */
  get(agentId: string): Promise<AgentRecord | undefined>
  /** Removes the agent from search, keeping its history; undefined when it was not active. */
  remove(
    agentId: string,
    atMs: number,
    event: Omit<RegistryEvent, 'seq'>,
  ): Promise<RegistryEvent | undefined>
  /** Every signed version of the agent's card, oldest first. */
  versions(agentId: string): Promise<AgentVersion[]>
  /** Capabilities of active agents matching the query. */
  match(query: CapabilityQuery): Promise<CapabilityMatch[]>
  /** The full capability of an active agent, as its card declares it. */
  capabilities(keys: { agentId: string; capabilityId: string }[]): Promise<Map<string, Capability>>
  appendEvent(event: Omit<RegistryEvent, 'seq'>): Promise<RegistryEvent>
  /** Events with a sequence number above `seq`, oldest first. */
  eventsAfter(seq: number, limit: number): Promise<RegistryEvent[]>
  /** The sequence number of the latest event, 0 when there is none. */
  lastEventSeq(): Promise<number>
}

/** A problem with a JSON Schema or with a value against one: a JSON pointer and a message. */
export interface SchemaProblem {
  path: string
  message: string
}

/** JSON Schema (draft 2020-12) checks the core needs; Ajv implements them at the edge. */
export interface SchemaChecker {
  /** Answers the first reason `schema` does not compile, or undefined when it does. */
  compileProblem(schema: unknown): SchemaProblem | undefined
  /** Answers the first reason `value` does not match `schema` (a trusted, static schema). */
  validationProblem(schema: object, value: unknown): SchemaProblem | undefined
}

/**
 * Checks task inputs and outputs against a capability's schemas (JSON Schema 2020-12, already
 * compile-checked at registration).
 */
export interface TaskValidator {
  /** Throws 422 SCHEMA_MISMATCH naming the first failing path. */
  validate(schema: object, value: unknown, what: 'input' | 'output'): void
}

/** The node's storage. Opened and migrated by the composition root. */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres'
  readonly principals: PrincipalStore
  readonly sessions: SessionStore
  readonly nonces: NonceStore
  readonly permissions: PermissionStore
  readonly tasks: TaskStore
  readonly pipelines: PipelineStore
  readonly negotiation: NegotiationStore
  readonly reputation: ReputationStore
  readonly audit: AuditStore
  readonly ledger: LedgerStore
  readonly registry: RegistryStore
  readonly marketplace: MarketplaceStore
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** Timers, behind a port so tests can drive deadlines and backoff. */
export interface Timers {
  /** Calls `fn` after `ms`; the returned function cancels it. */
  setTimeout(fn: () => void, ms: number): () => void
}

/** A query for tasks; `cursor` is the id of the last task of the previous page. */
export interface TaskQuery {
  requester?: string
  providerId?: string
  state?: string
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
  save(task: Task): Promise<void>
  /** Tasks not yet in a final state, for recovery after a restart. */
  listUnfinished(limit: number): Promise<Task[]>
  /** Keeps the first answer given for an idempotency key, so a repeat gets the same bytes. */
  saveAnswer(taskId: string, answer: string): Promise<void>
  getAnswer(taskId: string): Promise<string | undefined>
}

/** Finds providers for a task: discovery's ranking, online agents only, best first. */
export interface ProviderDirectory {
  candidates(query: {
    capabilityId: string
    maxPriceMicros?: bigint
    currency?: string
    agentId?: string
    excludeAgentIds?: string[]
    limit?: number
  }): Promise<Candidate[]>
  /** Whether any registered agent, online or not, offers this capability. */
  knows(capabilityId: string): Promise<boolean>
}

/** One attempt of a task as sent to a provider. */
export interface Dispatch {
  taskId: string
  attempt: number
  capabilityId: string
  input: unknown
  deadlineAtMs: number
  /** How deep in a chain of agent-to-agent calls this task is (0 for a client's task). */
  depth: number
  /** The most the provider may spend on calls it makes for this task. */
  budgetMicros: bigint
  currency: string
}

/** What a provider reports while it works. */
export type DispatchEvent =
  { type: 'accepted' } | { type: 'progress'; progress?: number; message?: string }

/** Carries a task to a provider (WebSocket for SDK agents) and its answer back. */
export interface TaskTransport {
  /**
   * Sends one attempt. Resolves with the output (and units, for per-unit pricing) or rejects with
   * a MeshError: TIMEOUT, PROVIDER_UNAVAILABLE-like codes are retryable. Aborting `signal` cancels
   * the attempt at the provider.
   */
  dispatch(
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown; units?: number }>
}

/** Span attributes: flat, as OpenTelemetry takes them. */
export type SpanAttributes = Record<string, string | number | boolean>

/** Where a span hangs in its trace: W3C trace context ids, lower-case hex. */
export interface SpanParent {
  /** 32 hex digits. */
  traceId: string
  /** 16 hex digits. */
  spanId: string
}

/** One timed piece of work in a trace. */
export interface Span {
  /** This span's ids, for children and for logs; undefined when nothing is traced. */
  readonly context: SpanParent | undefined
  setAttributes(attributes: SpanAttributes): void
  /** Marks the span failed, with the catalogue code and the message. */
  fail(code: string, message: string): void
  end(): void
}

/**
 * Tracing, so that the core can say what it does without knowing who listens (OpenTelemetry at
 * the edge). Spans start with a parent's ids, not an ambient context, since a task outlives calls.
 */
export interface Tracer {
  startSpan(name: string, options?: { parent?: SpanParent; attributes?: SpanAttributes }): Span
}
