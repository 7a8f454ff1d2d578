/**
 * The browser entry of the SDK (`@agentmesh/sdk/browser`): the `Mesh` client and the types, without
 * the agent runtime (`defineAgent` needs `ws`) or the key-file helpers (`node:fs`). The dashboard
 * imports it; protocol picks its browser Ed25519 implementation under the `browser` condition.
 */
export {
  MeshError,
  type AuditConsistencyProof,
  type AuditEntry,
  type AuditInclusionProof,
  type AuditPage,
  type AuditTreeHead,
  type AgentCard,
  type Capability,
  type ErrorCode,
  type KeyPair,
} from '@agentmesh/protocol'
export type { AuditQuery } from './audit-query.js'
export type { AgentReputation } from './agent-reputation.js'
export type { AccountBalance, LedgerTransfer } from './ledger-types.js'
export { Mesh } from './mesh.js'
export type { StreamEvent } from './mesh-streams.js'
export type { MeshOptions, NodeInfo, NodeStats } from './mesh-types.js'
export type {
  AgentInfo,
  RegistryChange,
  RegistryChangeType,
  ScorePart,
  ScorePartName,
  SearchOptions,
  SearchPage,
  SearchResult,
} from './registry-types.js'
export { SdkError } from './sdk-error.js'
export { readSse, type SseMessage } from './sse.js'
export type {
  ContractTermsView,
  ContractView,
  IntentView,
  PipelineRunListOptions,
  PipelineRunPage,
  PipelineRunView,
  SubmitOptions,
  TaskState,
  TaskView,
} from './task-types.js'
