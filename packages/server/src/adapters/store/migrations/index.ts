import type { Migration } from 'kysely'
import type { StoreDialect } from '../store-dialect.js'
import { auditMigration } from './0006-audit.js'
import { authMigration } from './0001-auth.js'
import { pipelinesMigration } from './0008-pipelines.js'
import { ledgerMigration } from './0005-ledger.js'
import { reputationMigration } from './0004-reputation.js'
import { tasksMigration } from './0007-tasks.js'
import { negotiationMigration } from './0009-negotiation.js'
import { registryMigration } from './0002-registry.js'
import { registryDescriptionMigration } from './0003-registry-description.js'
import { agentVersionBigintMigration } from './0010-agent-version-bigint.js'
import { capabilityFeaturedMigration } from './0011-capability-featured.js'
import { permissionsMigration } from './0013-permissions.js'
import { ledgerBudgetsMigration } from './0012-ledger-budgets.js'

/**
 * Every migration, by name, for `dialect`; applied in name order. Append, never edit one that
 * has shipped.
 */
export const migrations = (dialect: StoreDialect): Record<string, Migration> => ({
  '0001-auth': authMigration,
  '0003-reputation': reputationMigration,
  '0006-tasks': tasksMigration,
  '0007-pipelines': pipelinesMigration,
  '0008-negotiation': negotiationMigration,
  '0004-ledger': ledgerMigration,
  '0005-audit': auditMigration,
  '0002-registry': registryMigration(dialect),
  '0002-registry-description': registryDescriptionMigration(dialect),
  '0011-agent-version-bigint': agentVersionBigintMigration(dialect),
  '0012-capability-featured': capabilityFeaturedMigration,
  '0013-permissions': permissionsMigration,
  '0013-ledger-budgets': ledgerBudgetsMigration,
})
