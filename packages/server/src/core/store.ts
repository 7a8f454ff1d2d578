import type { AuditStore } from './audit/audit-store.js'
import type { WitnessStore } from './audit/witness-store.js'
import type { CertificateStore } from './certificates/certificate-store.js'
import type { KnowledgeStore } from './knowledge/knowledge-store.js'
import type {
  NonceStore,
  PermissionStore,
  PrincipalStore,
  SessionStore,
} from './auth/auth-store.js'
import type { LedgerStore } from './ledger/ledger-store.js'
import type { MarketplaceStore } from './marketplace/marketplace-store.js'
import type { HostedStore } from './hosted/hosted-store.js'
import type { HostedLogStore } from './hosted/hosted-log-store.js'
import type { TemplateStore } from './hosted/template-store.js'
import type { FlStore } from './fl/fl-store.js'
import type { NegotiationStore } from './negotiation/negotiation-store.js'
import type { PipelineStore } from './pipelines/pipeline-store.js'
import type { RegistryStore } from './registry/registry-store.js'
import type { ReputationStore } from './reputation/reputation-store.js'
import type { OracleStore } from './oracles/oracle-store.js'
import type { TaskStore } from './tasks/task-store.js'
import type { PushConfigStore } from './ports/push-config-store.js'

/**
 * The node's storage, every domain's store in one: what the composition root opens, migrates and
 * hands out, and what the store adapters implement. Services take only the stores they use.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres'
  readonly principals: PrincipalStore
  readonly sessions: SessionStore
  readonly nonces: NonceStore
  readonly tasks: TaskStore
  /** Where tasks' state changes are pushed (A2A push configs, webhooks). */
  readonly pushConfigs: PushConfigStore
  readonly pipelines: PipelineStore
  readonly negotiation: NegotiationStore
  readonly reputation: ReputationStore
  /** Oracle reputation: how close each source's answers came to the aggregates. */
  readonly oracles: OracleStore
  readonly audit: AuditStore
  readonly ledger: LedgerStore
  readonly registry: RegistryStore
  readonly marketplace: MarketplaceStore
  readonly permissions: PermissionStore
  /** Witnessing: heads this node cosigned for others, cosignatures its own heads collected. */
  readonly witness: WitnessStore
  /** Quorum certificates and their validators' signatures. */
  readonly certificates: CertificateStore
  /** Hosted agents' code, records and templates. */
  readonly hosted: HostedStore
  /** Hosted agents' log lines, capped per agent. */
  readonly hostedLogs: HostedLogStore
  /** Templates, who deployed them, and the deployers' ratings. */
  readonly templates: TemplateStore
  /** The knowledge graph's facts, their usage and the tasks that read them. */
  readonly knowledge: KnowledgeStore
  /** Federated-learning jobs, their rounds and their models. */
  readonly fl: FlStore
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>
  /** Whether `error`, thrown by a store, means the database cannot be reached for now. */
  isUnavailable(error: unknown): boolean
  close(): Promise<void>
}
