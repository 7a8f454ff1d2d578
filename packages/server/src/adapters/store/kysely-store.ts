import { sql, type Kysely } from 'kysely'
import type { NegotiationStore } from '../../core/negotiation/negotiation-store.js'
import type { PipelineStore } from '../../core/pipelines/pipeline-store.js'
import type { AuditStore } from '../../core/audit/audit-store.js'
import type { WitnessStore } from '../../core/audit/witness-store.js'
import type { CertificateStore } from '../../core/certificates/certificate-store.js'
import type { KnowledgeStore } from '../../core/knowledge/knowledge-store.js'
import type { FlStore } from '../../core/fl/fl-store.js'
import type { LedgerStore } from '../../core/ledger/ledger-store.js'
import type {
  NonceStore,
  PermissionStore,
  PrincipalStore,
  SessionStore,
} from '../../core/auth/auth-store.js'
import type { RegistryStore } from '../../core/registry/registry-store.js'
import type { Store } from '../../core/store.js'
import type { TaskStore } from '../../core/tasks/task-store.js'
import type { MarketplaceStore } from '../../core/marketplace/marketplace-store.js'
import type { HostedStore } from '../../core/hosted/hosted-store.js'
import type { HostedLogStore } from '../../core/hosted/hosted-log-store.js'
import type { TemplateStore } from '../../core/hosted/template-store.js'
import type { ReputationStore } from '../../core/reputation/reputation-store.js'
import type { OracleStore } from '../../core/oracles/oracle-store.js'
import { KyselyOracleStore } from './oracle-store.js'
import { KyselyAuditStore } from './audit-store.js'
import { KyselyCertificateStore } from './certificate-store.js'
import { KyselyKnowledgeStore } from './knowledge-store.js'
import { KyselyFlStore } from './fl-store.js'
import { KyselyNonceStore, KyselyPrincipalStore, KyselySessionStore } from './auth-stores.js'
import type { Database } from './database.js'
import { KyselyNegotiationStore } from './negotiation-store.js'
import { KyselyPermissionStore } from './permission-store.js'
import { KyselyPipelineStore } from './pipeline-store.js'
import { KyselyReputationStore } from './reputation-store.js'
import { KyselyTaskStore } from './task-store.js'
import { KyselyLedgerStore } from './ledger-store.js'
import { KyselyMarketplaceStore } from './marketplace-store.js'
import { KyselyHostedStore } from './hosted-store.js'
import { KyselyHostedLogStore } from './hosted-log-store.js'
import { KyselyTemplateStore } from './template-store.js'
import { KyselyRegistryStore } from './registry-store.js'
import { KyselyPushConfigStore } from './push-config-store.js'
import type { PushConfigStore } from '../../core/ports/push-config-store.js'
import type { StoreDialect } from './store-dialect.js'
import { KyselyWitnessStore } from './witness-store.js'

/** The store on Kysely: the same queries serve every database, with what differs in `dialect`. */
export class KyselyStore implements Store {
  readonly principals: PrincipalStore
  readonly sessions: SessionStore
  readonly nonces: NonceStore
  readonly permissions: PermissionStore
  readonly tasks: TaskStore
  readonly pushConfigs: PushConfigStore
  readonly pipelines: PipelineStore
  readonly negotiation: NegotiationStore
  readonly reputation: ReputationStore
  readonly oracles: OracleStore
  readonly audit: AuditStore
  readonly ledger: LedgerStore
  readonly registry: RegistryStore
  readonly marketplace: MarketplaceStore
  readonly witness: WitnessStore
  readonly certificates: CertificateStore
  readonly hosted: HostedStore
  readonly hostedLogs: HostedLogStore
  readonly templates: TemplateStore
  readonly knowledge: KnowledgeStore
  readonly fl: FlStore
  readonly #db: Kysely<Database>
  readonly #onClose: () => Promise<void>

  readonly dialect: 'sqlite' | 'postgres'
  readonly #storeDialect: StoreDialect

  constructor(
    dialect: StoreDialect,
    db: Kysely<Database>,
    onClose: () => Promise<void> = () => db.destroy(),
  ) {
    this.dialect = dialect.name
    this.#storeDialect = dialect
    this.#db = db
    this.#onClose = onClose
    this.principals = new KyselyPrincipalStore(db)
    this.sessions = new KyselySessionStore(db)
    this.nonces = new KyselyNonceStore(db)
    this.permissions = new KyselyPermissionStore(db)
    this.tasks = new KyselyTaskStore(db, dialect)
    this.pushConfigs = new KyselyPushConfigStore(db)
    this.pipelines = new KyselyPipelineStore(db)
    this.negotiation = new KyselyNegotiationStore(db, dialect)
    this.reputation = new KyselyReputationStore(db, dialect)
    this.oracles = new KyselyOracleStore(db)
    this.audit = new KyselyAuditStore(db)
    this.ledger = new KyselyLedgerStore(db, dialect)
    this.registry = new KyselyRegistryStore(db, dialect)
    this.marketplace = new KyselyMarketplaceStore(db)
    this.witness = new KyselyWitnessStore(db)
    this.certificates = new KyselyCertificateStore(db)
    this.hosted = new KyselyHostedStore(db)
    this.hostedLogs = new KyselyHostedLogStore(db)
    this.templates = new KyselyTemplateStore(db)
    this.knowledge = new KyselyKnowledgeStore(db, dialect)
    this.fl = new KyselyFlStore(db)
  }

  isUnavailable(error: unknown): boolean {
    return this.#storeDialect.isUnavailable(error)
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db)
  }

  close(): Promise<void> {
    return this.#onClose()
  }
}
