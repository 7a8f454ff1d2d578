import type { AgentCard, Capability } from '@agentmesh/protocol'

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
  /** Only the capabilities stored under these keys (what the vector index found). */
  keys?: number[]
  /** Read each match's stored embedding too. */
  withEmbedding?: boolean
}

/** A capability row as search reads it, without parsing the card. */
export interface CapabilityMatch {
  /** The capability's storage key: the vector index's key for it. */
  key: number
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
  /** The stored unit vector, when the query asked `withEmbedding`; null when none is stored. */
  embedding?: Float32Array | null
}

/** Capabilities' embeddings as one embedder made them, in the order of the card's capabilities. */
export interface CapabilityEmbeddings {
  model: string
  vectors: Float32Array[]
}

/** A capability's stored embedding, as the vector index is built from. */
export interface StoredEmbedding {
  key: number
  agentId: string
  /** The embedder's model that made `vector`; null when none is stored. */
  model: string | null
  vector: Float32Array | null
}

/** Agents, their capabilities (with a full-text index), signed history and change events. */
export interface RegistryStore {
  /**
   * Writes an agent's card, replaces its capabilities, keeps the signed version and appends the
   * event, in one transaction. Answers undefined, writing nothing, when the stored version is not
   * lower than `record.version`. `embeddings` are stored with the capabilities.
   */
  put(
    record: AgentRecord,
    event: Omit<RegistryEvent, 'seq'>,
    embeddings?: CapabilityEmbeddings,
  ): Promise<RegistryEvent | undefined>
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
  /**
   * Active capabilities' embeddings in key order: those after `afterKey` (at most `limit`), or
   * one agent's.
   */
  embeddings(
    scope: { afterKey: number; limit: number } | { agentId: string },
  ): Promise<StoredEmbedding[]>
  /** Stores embeddings made by `model` for capabilities by key (absent keys are skipped). */
  setEmbeddings(model: string, rows: { key: number; vector: Float32Array }[]): Promise<void>
  appendEvent(event: Omit<RegistryEvent, 'seq'>): Promise<RegistryEvent>
  /** Events with a sequence number above `seq`, oldest first. */
  eventsAfter(seq: number, limit: number): Promise<RegistryEvent[]>
  /** The sequence number of the latest event, 0 when there is none. */
  lastEventSeq(): Promise<number>
}
