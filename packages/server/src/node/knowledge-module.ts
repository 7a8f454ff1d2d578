import { AjvSchemaChecker } from '../adapters/schema/ajv-schema-checker.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import { DEFAULT_KNOWLEDGE_LIMITS, KnowledgeService } from '../core/knowledge/knowledge-service.js'
import { KnowledgeUsage } from '../core/knowledge/knowledge-usage.js'
import type { OutcomeSink } from '../core/ports/outcome-sink.js'
import type { RegistryService } from '../core/registry/registry-service.js'
import type { ReputationService } from '../core/reputation/reputation-service.js'
import type { NodeBase } from './base.js'

/**
 * The knowledge graph (`/v1/knowledge`) and what tasks do with it. `outcomes` is the sink the
 * task flow reports to: reputation first, then the facts the task read (a failure there is
 * logged, never the task's).
 */
export function knowledgeParts(
  base: NodeBase,
  deps: { audit: AuditLog; reputation: ReputationService; registry: RegistryService },
) {
  const { config, store, clock, logger } = base
  const { audit, reputation, registry } = deps
  const facts = new KnowledgeService(
    { store: store.knowledge, tasks: store.tasks, reputation, audit, clock },
    { ...DEFAULT_KNOWLEDGE_LIMITS, ...config.knowledge },
  )
  const usage = new KnowledgeUsage({
    store: store.knowledge,
    knowledge: facts,
    tasks: store.tasks,
    capability: async (agentId, capabilityId) =>
      (await registry.get(agentId))?.capabilities.find((c) => c.id === capabilityId),
    audit,
    schemas: new AjvSchemaChecker(),
    clock,
  })
  const outcomes: OutcomeSink = {
    async recordOutcome(outcome) {
      await reputation.recordOutcome(outcome)
      await usage.recordOutcome(outcome).catch((error: unknown) => {
        logger.error({ err: error, taskId: outcome.taskId }, 'recording knowledge usage failed')
      })
    },
  }
  return { knowledge: { facts, usage }, outcomes }
}
