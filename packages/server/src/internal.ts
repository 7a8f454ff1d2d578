/**
 * The node's insides that the workspace's bench (`@agentmesh/bench`) measures directly: the store,
 * the ledger and discovery without HTTP in front. Not a stable API: it changes with the node.
 */
export type { Database } from './adapters/store/database.js'
export { GroupCommit } from './adapters/store/group-commit.js'
export { openStore, type StoreLocation } from './adapters/store/open-store.js'
export { connectPostgres, dropPostgresSchema } from './adapters/store/postgres/connect.js'
export { connectSqlite } from './adapters/store/sqlite/connect.js'
export { systemClock } from './adapters/system/system-clock.js'
export { verifyRemoteAudit } from './cli/remote-audit.js'
export { CliError } from './cli/cli-error.js'
export { DiscoveryService } from './core/discovery/discovery-service.js'
export { searchWords } from './core/discovery/search-words.js'
export { capabilityPassage } from './core/discovery/capability-text.js'
export { MeaningIndex } from './core/discovery/meaning-index.js'
export { WordVectorEmbedder } from './adapters/embedding/word-vector-embedder.js'
export { readWordVectors } from './adapters/embedding/word-vector-file.js'
export { ExactVectorIndex } from './adapters/vector-index/exact-vector-index.js'
export { UsearchVectorIndex } from './adapters/vector-index/usearch-vector-index.js'
export { WORD_VECTORS } from './node/meaning-parts.js'
export { LedgerService } from './core/ledger/ledger-service.js'
export { accountId, SYSTEM } from './core/ledger/types.js'
export type { ReputationSummary } from './core/ports/reputation-source.js'
export { MemoryPresenceStore } from './adapters/presence/memory-presence-store.js'
export { Presence } from './core/registry/presence.js'
export { resolveNodeConfig, startNode } from './node.js'
export { createQuickJsSandbox } from './adapters/sandbox/quickjs-sandbox.js'
export { DEFAULT_CARD_LIMITS, verifyCard } from './core/registry/card-verifier.js'
export type { Candidate, Task } from './core/tasks/task-types.js'
export type { SearchInput } from './core/discovery/discovery-service.js'
export type { Dispatch, DispatchEvent, TaskTransport } from './core/ports/task-transport.js'
export type { ProviderDirectory } from './core/ports/provider-directory.js'
export type {
  Federation,
  FederationConfig,
  FederationHost,
  TrustZone,
} from './node/federation-host.js'
export type { SchemaChecker } from './core/ports/schema-checker.js'
