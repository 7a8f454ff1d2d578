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
export {
  Agent,
  defineAgent,
  type AgentCapability,
  type AgentDefinition,
  type ConnectOptions,
  type IntentRequest,
  type OfferAnswer,
  type TaskContext,
} from './define-agent.js'
export type { AgentReputation } from './agent-reputation.js'
export type { AlertView, AlertsView } from './alert-types.js'
export { generateKey, keyPath, loadKey, saveKey } from './keys.js'
export type { AccountBalance, LedgerTransfer } from './ledger-types.js'
export { Mesh } from './mesh.js'
export type { StreamEvent } from './mesh-streams.js'
export type { MeshOptions, NodeInfo, NodeStats } from './mesh-types.js'
export type {
  AgentInfo,
  CapabilityListing,
  CapabilityListOptions,
  CapabilityPage,
  RegistryChange,
  RegistryChangeType,
  ScorePart,
  ScorePartName,
  SearchOptions,
  SearchPage,
  SearchResult,
} from './registry-types.js'
export type { PermissionGrant, PermissionView, PrincipalView } from './principal-types.js'
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
  SubscriptionView,
  TaskState,
  TaskView,
} from './task-types.js'
