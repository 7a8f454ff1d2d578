import type { Migration } from 'kysely'
import type { StoreDialect } from '../store-dialect.js'
import { authMigration } from './0001-auth.js'
import { registryMigration } from './0002-registry.js'
import { registryDescriptionMigration } from './0003-registry-description.js'
import { reputationMigration } from './0004-reputation.js'
import { ledgerMigration } from './0005-ledger.js'
import { auditMigration } from './0006-audit.js'
import { tasksMigration } from './0007-tasks.js'
import { pipelinesMigration } from './0008-pipelines.js'
import { negotiationMigration } from './0009-negotiation.js'
import { agentVersionBigintMigration } from './0010-agent-version-bigint.js'
import { capabilityFeaturedMigration } from './0011-capability-featured.js'
import { ledgerBudgetsMigration } from './0012-ledger-budgets.js'
import { permissionsMigration } from './0013-permissions.js'
import { witnessMigration } from './0016-witness.js'
import { hostedAgentsMigration } from './0017-hosted-agents.js'
import { a2aTasksMigration } from './0018-a2a-tasks.js'
import { taskLeasesMigration } from './0014-task-leases.js'
import { hostedRatingsLeasesLogsMigration } from './0019-hosted-ratings-leases-logs.js'
import { oracleReputationMigration } from './0023-oracle-reputation.js'
import { capabilityEmbeddingsMigration } from './0021-capability-embeddings.js'
import { knowledgeMigration } from './0022-knowledge.js'
import { flJobsMigration } from './0020-fl-jobs.js'

/**
 * Every migration, by name, for `dialect`; applied in name order. A new migration takes the next
 * number (a lower one is refused by databases that ran a higher one); never edit one that has
 * shipped. Names before this numbering are in `legacy-names.ts`.
 */
export const migrations = (dialect: StoreDialect): Record<string, Migration> => ({
  '0001-auth': authMigration,
  '0002-registry': registryMigration(dialect),
  '0003-registry-description': registryDescriptionMigration(dialect),
  '0004-reputation': reputationMigration,
  '0005-ledger': ledgerMigration,
  '0006-audit': auditMigration,
  '0007-tasks': tasksMigration,
  '0008-pipelines': pipelinesMigration,
  '0009-negotiation': negotiationMigration,
  '0010-agent-version-bigint': agentVersionBigintMigration(dialect),
  '0011-capability-featured': capabilityFeaturedMigration,
  '0012-ledger-budgets': ledgerBudgetsMigration,
  '0013-permissions': permissionsMigration,
  '0016-witness': witnessMigration,
  '0017-hosted-agents': hostedAgentsMigration,
  '0018-a2a-tasks': a2aTasksMigration,
  '0014-task-leases': taskLeasesMigration,
  '0019-hosted-ratings-leases-logs': hostedRatingsLeasesLogsMigration(dialect),
  '0023-oracle-reputation': oracleReputationMigration,
  '0021-capability-embeddings': capabilityEmbeddingsMigration(dialect),
  '0022-knowledge': knowledgeMigration,
  '0020-fl-jobs': flJobsMigration,
})
