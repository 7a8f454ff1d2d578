export {
  MeshError,
  type AccountBalance,
  type AgentCard,
  type AgentInfo,
  type AgentReputation,
  type AlertView,
  type AlertsView,
  type AnomalyView,
  type AuditConsistencyProof,
  type AuditEntry,
  type AuditInclusionProof,
  type AuditPage,
  type AuditTreeHead,
  type Capability,
  type CertificateView,
  type Cosignature,
  type CosignedTreeHead,
  type CosignRequest,
  type QuorumCertificate,
  type CapabilityListing,
  type CapabilityPage,
  type ContractTermsView,
  type ContractView,
  type ErrorCode,
  type AssertedFacts,
  type Fact,
  type FactAssertion,
  type FactView,
  type KnowledgePage,
  type KnowledgePaths,
  type PathHop,
  type FlJobSpec,
  type FlJobView,
  type FlModelView,
  type FlRoundView,
  type HostedAgentView,
  type HostedLogLine,
  type TemplatePage,
  type TemplateRatingPage,
  type TemplateRatingView,
  type TemplateView,
  type IntentView,
  type KeyPair,
  type LedgerTransfer,
  type NodeInfo,
  type NodeStats,
  type OracleView,
  type PermissionView,
  type PipelineRunPage,
  type PipelineRunView,
  type PrincipalView,
  type RegistryChange,
  type RegistryChangeType,
  type ScorePart,
  type ScorePartName,
  type SearchPage,
  type SearchResult,
  type SubscriptionView,
  type TaskState,
  type TaskView,
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
export { defineTrainer, type TrainerDefinition } from './define-trainer.js'
export { defineValidator, type ValidatorDefinition } from './define-validator.js'
export { FlAgent, type DataSource, type ModelFactory } from './fl-agent.js'
export { FlJobs, type FlStreamEvent } from './fl-client.js'
export {
  HostedAgents,
  Templates,
  type HostedAgentUpload,
  type TemplatePublish,
} from './hosted-client.js'
export { generateKey, keyPath, loadKey, saveKey } from './keys.js'
export type { TaskKnowledge } from './agent-knowledge.js'
export { Knowledge, type KnowledgeQuery, type PathOptions } from './knowledge-client.js'
export { Mesh } from './mesh.js'
export type { StreamEvent } from './mesh-streams.js'
export type { MeshOptions } from './mesh-types.js'
export type { NodeUrlList } from './node-urls.js'
export type { CapabilityListOptions, SearchOptions } from './registry-types.js'
export type { PermissionGrant } from './principal-types.js'
export { SdkError } from './sdk-error.js'
export { readSse, type SseMessage } from './sse.js'
export type { PipelineRunListOptions, SubmitOptions } from './task-types.js'
