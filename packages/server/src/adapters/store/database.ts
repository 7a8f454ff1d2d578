import type { Generated } from 'kysely'

/**
 * The tables as Kysely sees them. Times are epoch milliseconds in BIGINT columns; PostgreSQL
 * hands BIGINT back as a string, so readers convert with `Number()`.
 */
export interface Database {
  principals: { did: string; roles: string; created_at: number | string }
  sessions: {
    token_hash: string
    did: string
    created_at: number | string
    expires_at: number | string | null
    revoked_at: number | string | null
  }
  nonces: { nonce: string; did: string; expires_at: number | string }
  permissions: {
    id: string
    did: string
    resource: string
    action: string
    scope: string
    expires_at: number | string | null
    granted_by: string
    granted_at: number | string
  }
  tasks: {
    id: string
    requester: string
    provider_id: string | null
    capability_id: string
    state: string
    idempotency_key: string | null
    created_at: number | string
    updated_at: number | string
    document: string
    answer: string | null
    context_id?: string | null
    agent_id?: string | null
  }
  task_push_configs: {
    id: string
    task_id: string
    config_id: string
    owner: string
    created_at: number | string
    document: string
  }
  task_leases: {
    task_id: string
    owner: string
    epoch: number | string
    expires_at: number | string
  }
  intents: { id: string; requester: string; accepted_offer_id: string | null; document: string }
  offers: { id: string; intent_id: string; provider: string; document: string }
  contracts: {
    id: string
    requester: string
    provider: string
    state: string
    canceled_at: number | string | null
    document: string
  }
  pipeline_runs: {
    id: string
    requester: string
    state: string
    created_at: number | string
    updated_at: number | string
    document: string
  }
  reputation_aggregates: ReputationAggregateRow
  oracle_reputation: {
    agent_id: string
    capability_id: string
    answers: number | string
    within_tolerance: number | string
    deviation_total: number
    updated_at: number | string
  }
  oracle_answers: { task_id: string; agent_id: string; at: number | string }
  reputation_outcomes: { task_id: string; agent_id: string; at: number | string }
  reputation_ratings: {
    task_id: string
    rater: string
    agent_id: string
    capability_id: string
    stars: number
    paid_micros: string
    currency: string
    weight: number
    created_at: number | string
  }
  reputation_presence: {
    agent_id: string
    first_seen_at: number | string
    online_since: number | string | null
    online_ms: number | string
    last_change_at: number | string
  }
  audit_entries: {
    seq: number | string
    time_ms: number | string
    actor: string
    action: string
    resource: string
    result: string
    /** Canonical JSON. */
    details: string
    leaf_hash: string
    chain_hash: string
  }
  /** One row (id 1): the committed tail, locked by every append. */
  witness_heads: { origin: string; size: number | string; root: string; time_ms: number | string }
  audit_cosignatures: {
    origin: string
    size: number | string
    witness: string
    root: string
    time: string
    signature: string
  }
  certificates: {
    id: string
    created_by: string
    created_at: number | string
    decision: string
    validators: string
    f: number
  }
  certificate_signatures: {
    certificate_id: string
    signer: string
    signature: string
    signed_at: number | string
  }
  knowledge_facts: {
    id: string
    agent: string
    subject: string
    relation: string
    object: string
    confidence: number
    task_id: string | null
    signature: string
    asserted_at: number | string
    reads: Generated<number | string>
    tasks: Generated<number | string>
    completed: Generated<number | string>
    failed: Generated<number | string>
    rating_count: Generated<number | string>
    rating_sum: Generated<number | string>
  }
  knowledge_agents: { agent: string; facts: number | string }
  knowledge_uses: {
    task_id: string
    fact_id: string
    read_at: number | string
    outcome: string | null
    rating: number | null
  }
  audit_tail: { id: number; seq: number | string; chain_hash: string }
  audit_heads: {
    signer: string
    size: number | string
    root: string
    time_ms: number | string
    jws: string
  }
  ledger_accounts: {
    id: string
    owner: string
    currency: string
    no_overdraft: number
    debits_posted: string
    credits_posted: string
    debits_pending: string
    credits_pending: string
    /** JSON: the account's budgets, one per period (see migration 0012-ledger-budgets). */
    budgets: string | null
    created_at: number | string
  }
  ledger_transfers: {
    id: string
    kind: string
    debit_account: string
    credit_account: string
    amount: string
    currency: string
    code: string
    reference: string | null
    pending_id: string | null
    timeout_ms: number | string | null
    expires_at: number | string | null
    state: string | null
    created_at: number | string
  }
  agents: {
    agent_id: string
    name: string
    /** BIGINT on PostgreSQL (SDK agents version their cards by the time in ms): a string there. */
    version: number | string
    card: string
    jws: string
    registered_at: number | string
    updated_at: number | string
    removed_at: number | string | null
  }
  agent_versions: { agent_id: string; version: number | string; jws: string; at: number | string }
  capabilities: {
    id: Generated<number | string>
    agent_id: string
    capability_id: string
    description: string
    agent_name: string
    /** Micro-units, zero-padded to 24 digits so that text order is numeric order. */
    price_key: string
    currency: string
    timeout_ms: number
    p95_latency_ms: number | null
    concurrency: number
    /** The tags between spaces, ` nlp text `, for a LIKE match. */
    tags: string
    search_title: string
    search_body: string
    capability: string
    /** The embedding's float32 components, little-endian; null until embedded. */
    embedding: Uint8Array | null
    embedding_model: string | null
  }
  /** Capabilities an admin features in the marketplace (a row while featured). */
  capability_featured: {
    agent_id: string
    capability_id: string
    featured_by: string
    featured_at: number | string
  }
  /** SQLite only: the FTS5 index over `capabilities`. */
  capabilities_fts: { rowid: number; search_title: string; search_body: string }
  registry_events: {
    seq: Generated<number | string>
    type: string
    agent_id: string
    at: number | string
    data: string
  }
  hosted_code: { hash: string; code: string; created_at: number | string }
  fl_jobs: {
    id: string
    owner: string
    state: string
    created_at: number | string
    document: string
  }
  fl_rounds: { job_id: string; round: number; document: string }
  fl_models: { hash: string; size: number; params: string; created_at: number | string }
  hosted_agents: HostedAgentRow
  hosted_templates: {
    id: string
    owner: string
    category: string
    search_text: string
    deployments: Generated<number | string>
    rating_sum: Generated<number | string>
    rating_count: Generated<number | string>
    created_at: number | string
    document: string
  }
  template_deployments: { template_id: string; deployer: string; deployed_at: number | string }
  template_ratings: {
    template_id: string
    rater: string
    stars: number
    comment: string | null
    created_at: number | string
    updated_at: number | string
  }
  hosted_leases: {
    agent_id: string
    owner: string
    epoch: number | string
    expires_at: number | string
  }
  hosted_logs: {
    seq: Generated<number | string>
    agent_id: string
    at: number | string
    level: string
    message: string
  }
}

/** A hosted agent's row: usage totals as columns (added to in place), the rest a document. */
export interface HostedAgentRow {
  id: string
  owner: string
  state: string
  code_hash: string
  template_id: string | null
  calls: Generated<number | string>
  failures: Generated<number | string>
  cpu_ms: Generated<number | string>
  wall_ms: Generated<number | string>
  peak_memory_bytes: Generated<number | string>
  cost_micros: Generated<number | string | bigint>
  document: string
}

/** A reputation aggregate; `capability_id` '' is the agent over all its capabilities. */
export interface ReputationAggregateRow {
  agent_id: string
  capability_id: string
  calls: number | string
  successes: number | string
  failures: number | string
  timeouts: number | string
  canceled: number | string
  disputed: number | string
  ratings: number | string
  rating_stars_total: number | string
  decayed_successes: number
  decayed_failures: number
  decayed_rating_weight: number
  decayed_rating_stars: number
  decayed_at: number | string
  /** JSON: `{p50, p95}` P² estimator states. */
  latency: string
  last_outcome_at: number | string | null
  updated_at: number | string
}

/** Converts a BIGINT column value (number in SQLite, string in PostgreSQL) to a number. */
export function toMs(value: number | string): number {
  return typeof value === 'number' ? value : Number(value)
}

/** Like `toMs`, keeping `null`. */
export function toMsOrNull(value: number | string | null): number | null {
  return value === null ? null : toMs(value)
}
