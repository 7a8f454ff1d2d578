/**
 * The browser entry of the SDK (`@agentmesh/sdk/browser`): the `Mesh` client and the types, without
 * the agent runtime (`defineAgent` needs `ws`) or the key-file helpers (`node:fs`). The dashboard
 * imports it; protocol picks its browser Ed25519 implementation under the `browser` condition.
 */
export {
  MeshError,
  type AccountBalance,
  type AgentCard,
  type AgentInfo,
  type AgentReputation,
  type AuditConsistencyProof,
  type AuditEntry,
  type AuditInclusionProof,
  type AuditPage,
  type AuditTreeHead,
  type Capability,
  type ContractTermsView,
  type ContractView,
  type ErrorCode,
  type FactView,
  type KnowledgePaths,
  type FlJobView,
  type FlRoundView,
  type IntentView,
  type KeyPair,
  type LedgerTransfer,
  type NodeInfo,
  type NodeStats,
  type PipelineRunPage,
  type PipelineRunView,
  type RegistryChange,
  type RegistryChangeType,
  type ScorePart,
  type ScorePartName,
  type SearchPage,
  type SearchResult,
  type TaskState,
  type TaskView,
} from '@agentmesh/protocol'
export type { AuditQuery } from './audit-query.js'
export { Mesh } from './mesh.js'
export type { StreamEvent } from './mesh-streams.js'
export type { MeshOptions } from './mesh-types.js'
export type { SearchOptions } from './registry-types.js'
export { SdkError } from './sdk-error.js'
export { readSse, type SseMessage } from './sse.js'
export type { PipelineRunListOptions, SubmitOptions } from './task-types.js'
