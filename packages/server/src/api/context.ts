import type { ClusterView, Role } from '@agentmesh/protocol'
import type { AlertService } from '../core/alerts/alert-service.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import type { HeadCosigner } from '../core/audit/head-cosigner.js'
import type { Witness } from '../core/audit/witness.js'
import type { CertificateService } from '../core/certificates/certificate-service.js'
import type { AuthService } from '../core/auth/auth-service.js'
import type { Caller } from '../core/auth/caller.js'
import type { PermissionService } from '../core/auth/permission-service.js'
import type { BudgetService } from '../core/ledger/budget-service.js'
import type { LedgerService } from '../core/ledger/ledger-service.js'
import type { Subscriptions } from '../core/ledger/subscriptions.js'
import type { Bus } from '../core/ports/bus.js'
import type { Clock } from '../core/ports/clock.js'
import type { Store } from '../core/store.js'
import type { ReputationService } from '../core/reputation/reputation-service.js'
import type { OracleReputation } from '../core/oracles/oracle-reputation.js'
import type { AnomalyDetector } from '../core/anomalies/anomaly-detector.js'
import type { DiscoveryService } from '../core/discovery/discovery-service.js'
import type { MarketplaceService } from '../core/marketplace/marketplace-service.js'
import type { NegotiationService } from '../core/negotiation/negotiation-service.js'
import type { PipelineService } from '../core/pipelines/pipeline-service.js'
import type { RegistryService } from '../core/registry/registry-service.js'
import type { TaskStats } from '../core/stats/task-stats.js'
import type { TaskService } from '../core/tasks/task-service.js'
import type { HostedService } from '../core/hosted/hosted-service.js'
import type { FlService } from '../core/fl/fl-service.js'
import type { TemplateService } from '../core/hosted/template-service.js'
import type { ImportedAgents } from '../adapters/transport/a2a-http/imported-agents.js'
import type { Federation } from '../node/federation-host.js'
import type { AgentConnections } from '../adapters/transport/websocket/agent-connections.js'
import type { PushNotifier } from '../adapters/http/push-notifier.js'
import type { KnowledgeService } from '../core/knowledge/knowledge-service.js'
import type { KnowledgeUsage } from '../core/knowledge/knowledge-usage.js'

/** What the HTTP layer needs from the node: the core services, built by the composition root. */
export interface ApiContext {
  nodeDid: string
  version: string
  mode: 'embedded' | 'cluster'
  currencies: string[]
  store: Store
  bus: Bus
  auth: AuthService
  /** Scoped, expiring permissions beside roles (`/v1/principals/:did/permissions`). */
  permissions: PermissionService
  reputation: ReputationService
  /** Oracle reputation, shown with the rest of an agent's (`GET /v1/agents/:id/reputation`). */
  oracles: OracleReputation
  /** What each agent does out of its normal now (`anomalies` in its reputation). */
  anomalies: AnomalyDetector
  audit: AuditLog
  ledger: LedgerService
  budgets: BudgetService
  /** Capabilities sold by subscription: paid once per period (`/v1/subscriptions`). */
  subscriptions: Subscriptions
  registry: RegistryService
  discovery: DiscoveryService
  /** Browsing capabilities by popularity, featured or price (`GET /v1/capabilities`). */
  marketplace: MarketplaceService
  tasks: TaskService
  pipelines: PipelineService
  negotiation: NegotiationService
  /** Task figures over the last minute (`GET /v1/stats`). */
  stats: TaskStats
  /** The live agent connections (the task transport). */
  connections: AgentConnections
  /** External A2A agents imported as providers (the HTTP task transport). */
  imports: ImportedAgents
  clock: Clock
  /** Prometheus metrics: the API records its requests there and serves them at `/metrics`. */
  metrics: MetricsEndpoint
  /** The node's alerts, read at `/v1/alerts`. */
  alerts: AlertService
  /** Proof across operators: witnessing others' heads, our cosignatures, quorum certificates. */
  proofs: { witness: Witness; cosigner: HeadCosigner; certificates: CertificateService }
  /** Hosted agents (`/v1/hosted-agents`): code the node runs in its sandbox. */
  hosted: HostedService
  /** Templates of hosted agents (`/v1/templates`). */
  templates: TemplateService
  /** Task state changes pushed to subscribers (A2A push configs, task webhooks). */
  push: PushNotifier
  /** Peering over libp2p (`/v1/federation`, `scope=federation`); `current` unset when not federating. */
  federation?: { readonly current: Federation | undefined }
  /** The knowledge graph (`/v1/knowledge`): its facts, and what tasks' ends and ratings do to them. */
  knowledge: { facts: KnowledgeService; usage: KnowledgeUsage }
  /** Federated-learning jobs (`/v1/fl/jobs`), the node as their aggregator. */
  fl: FlService
  /** Cluster mode only: this node in its cluster (`GET /v1/cluster`, readiness, draining). */
  cluster?: ClusterApi
}

/** What the HTTP layer needs of a cluster node. */
export interface ClusterApi {
  nodeId: string
  /** Resolves while NATS answers within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>
  view(): Promise<ClusterView>
  /** Whether the node is draining (SIGTERM): no new work. */
  draining(): boolean
}

/** What the HTTP layer needs of the node's metrics (the prom-client adapter implements it). */
export interface MetricsEndpoint {
  readonly contentType: string
  render(): Promise<string>
  httpRequest(request: { method: string; route: string; status: number; durationMs: number }): void
  /** A request refused for its bearer token, by error code. */
  authFailure(code: string): void
}

/** Who may call a route: `public`, any authenticated principal, or one of some roles. */
export type Access = 'public' | 'authenticated' | Role[]

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
  interface FastifyRequest {
    caller: Caller | undefined
    /** Why the request's token did not authenticate; answered after the rate limit counted it. */
    authFailure: Error | undefined
  }
}
