import {
  factAssertionSchema,
  MAX_FACTS_PER_ASSERTION,
  MeshError,
  verifyFact,
  type Capability,
  type FactAssertion,
} from '@agentmesh/protocol'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import { RecentCache } from '../recent-cache.js'
import type { SchemaChecker } from '../ports/schema-checker.js'
import type { OutcomeSink, TaskOutcome } from '../ports/outcome-sink.js'
import type { TaskStore } from '../tasks/task-store.js'
import type { Task } from '../tasks/task-types.js'
import type { KnowledgeService } from './knowledge-service.js'
import type { KnowledgeStore, UseOutcome } from './knowledge-store.js'

/** What usage needs: the facts, the tasks, capabilities' declarations, the audit log, a schema check. */
export interface KnowledgeUsageDeps {
  store: KnowledgeStore
  knowledge: Pick<KnowledgeService, 'store'>
  tasks: Pick<TaskStore, 'get'>
  /** The capability an agent serves, as its card declares it. */
  capability(agentId: string, capabilityId: string): Promise<Capability | undefined>
  audit: AuditSink
  schemas: Pick<SchemaChecker, 'validationProblem'>
  clock: Clock
}

/**
 * How long a capability's `outputFacts` declaration is reused: every completed task asks, and a
 * card changes rarely (a new declaration applies to tasks ending this long after it, at most).
 */
const DECLARATION_TTL_MS = 10_000
const MAX_DECLARATIONS = 10_000

function useOutcome(result: TaskOutcome['result']): UseOutcome {
  switch (result) {
    case 'completed':
      return 'completed'
    case 'canceled':
      return 'canceled'
    case 'failed':
    case 'timed_out':
    case 'disputed':
      return 'failed'
  }
}

/**
 * What tasks do with the graph: when a task ends, the facts its agent read for it count its
 * outcome (a cancellation counts neither way); a rating of it counts for them too; and a
 * completed task whose capability declares `outputFacts` has the signed facts of its output
 * stored, bound to the task. Each use counts once, however often an outcome arrives.
 */
export class KnowledgeUsage implements OutcomeSink {
  readonly #deps: KnowledgeUsageDeps
  readonly #declarations = new RecentCache<string, string | null>(
    DECLARATION_TTL_MS,
    MAX_DECLARATIONS,
  )

  constructor(deps: KnowledgeUsageDeps) {
    this.#deps = deps
  }

  async recordOutcome(outcome: TaskOutcome): Promise<void> {
    await this.#deps.store.settleUses(outcome.taskId, useOutcome(outcome.result))
    if (outcome.result !== 'completed') return
    const field = await this.#declaration(outcome.agentId, outcome.capabilityId)
    if (field === null) return
    const task = await this.#deps.tasks.get(outcome.taskId)
    if (task?.state === 'completed' && task.providerId) await this.#fromOutput(task, field)
  }

  /** The output property a capability declares facts in, or null; read again after a while. */
  async #declaration(agentId: string, capabilityId: string): Promise<string | null> {
    const key = JSON.stringify([agentId, capabilityId])
    const now = this.#deps.clock.now()
    const known = this.#declarations.get(key, now)
    if (known !== undefined) return known
    const field = (await this.#deps.capability(agentId, capabilityId))?.outputFacts ?? null
    this.#declarations.set(key, field, now)
    return field
  }

  /** Adds a rating of a task to the facts its agent read for it. */
  async recordRating(taskId: string, stars: number): Promise<void> {
    await this.#deps.store.rateUses(taskId, stars)
  }

  /**
   * Stores the facts of a completed task's output: each must be signed by the task's provider for
   * this task; others are skipped. Audited with how many were stored and skipped.
   */
  async #fromOutput(task: Task, field: string): Promise<void> {
    const listed = (task.output as Record<string, unknown> | null)?.[field]
    if (!Array.isArray(listed) || listed.length === 0) return
    const agent = task.providerId!
    const valid: FactAssertion[] = []
    for (const item of listed.slice(0, MAX_FACTS_PER_ASSERTION)) {
      if (isOwnFact(this.#deps.schemas, item, agent, task.id)) valid.push(item)
    }
    const skipped = listed.length - valid.length
    const audit = { actor: agent, action: 'knowledge.assert', resource: `task:${task.id}` }
    try {
      const stored = valid.length > 0 ? await this.#deps.knowledge.store(agent, valid) : undefined
      await this.#deps.audit.record({
        ...audit,
        result: 'ok',
        details: {
          source: 'output',
          facts: valid.length,
          created: stored?.facts.filter((f) => f.created).length ?? 0,
          skipped,
        },
      })
    } catch (error) {
      if (!(error instanceof MeshError) || error.status >= 500) throw error
      await this.#deps.audit.record({
        ...audit,
        result: 'denied',
        details: { source: 'output', code: error.code, facts: valid.length, skipped },
      })
    }
  }
}

/** A well-formed fact signed by `agent` for `taskId`. */
function isOwnFact(
  schemas: Pick<SchemaChecker, 'validationProblem'>,
  item: unknown,
  agent: string,
  taskId: string,
): item is FactAssertion {
  if (schemas.validationProblem(factAssertionSchema, item)) return false
  const fact = item as FactAssertion
  if (fact.agent !== agent || fact.taskId !== taskId) return false
  try {
    verifyFact(fact)
    return true
  } catch {
    return false
  }
}
