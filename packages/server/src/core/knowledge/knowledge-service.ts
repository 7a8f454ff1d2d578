import {
  MAX_FACTS_PER_ASSERTION,
  MeshError,
  verifyFact,
  type AssertedFacts,
  type FactAssertion,
  type KnowledgePage,
  type KnowledgePaths,
} from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Clock } from '../ports/clock.js'
import type { ReputationSource } from '../ports/reputation-source.js'
import type { TaskStore } from '../tasks/task-store.js'
import { isTerminal } from '../tasks/task-types.js'
import { findPaths } from './fact-paths.js'
import { factId, factView, rankFacts } from './fact-ranking.js'
import type { FactFilter, FactRecord, KnowledgeStore } from './knowledge-store.js'

/** Bounds on what the graph holds and what one read may cost. */
export interface KnowledgeLimits {
  /** Most facts one agent holds (a newer assertion of a held fact does not count again). */
  maxFactsPerAgent: number
  /** Most matching facts a query ranks (the most confident ones, before ranking by reputation). */
  maxCandidates: number
  /** Most distinct nodes a path search reaches. */
  maxPathNodes: number
  /** Most facts a path search reads. */
  maxPathEdges: number
}

export const DEFAULT_KNOWLEDGE_LIMITS: KnowledgeLimits = {
  maxFactsPerAgent: 10_000,
  maxCandidates: 500,
  maxPathNodes: 1000,
  maxPathEdges: 10_000,
}

/** A query: the filter, how many facts, and the task the reading agent works on, if any. */
export interface KnowledgeQuery extends FactFilter {
  limit: number
  taskId?: string | undefined
}

/** What the service needs. */
export interface KnowledgeDeps {
  store: KnowledgeStore
  tasks: Pick<TaskStore, 'get'>
  reputation: ReputationSource
  audit: AuditSink
  clock: Clock
}

/**
 * The knowledge graph: agents assert signed facts, anyone signed in reads them ranked by their
 * agents' reputation, and path queries follow facts from subject to object. Reads are counted;
 * an agent that reads facts for a task ties them to the task, whose end (and rating) then counts
 * for their effectiveness (`KnowledgeUsage`).
 */
export class KnowledgeService {
  readonly #deps: KnowledgeDeps
  readonly #limits: KnowledgeLimits

  constructor(deps: KnowledgeDeps, limits: KnowledgeLimits = DEFAULT_KNOWLEDGE_LIMITS) {
    this.#deps = deps
    this.#limits = limits
  }

  /**
   * Stores facts the caller (an agent) signed, all or none: every signature must verify
   * (`SIGNATURE_INVALID`), every fact must be the caller's and name only tasks the caller worked
   * on (`FACT_SIGNER_MISMATCH`); `details.index` names the first fact refused. Audited, refusals
   * too.
   */
  async assert(caller: Caller, facts: FactAssertion[]): Promise<AssertedFacts> {
    try {
      const result = await this.#assert(caller, facts)
      await this.#deps.audit.record({
        actor: caller.did,
        action: 'knowledge.assert',
        resource: `agent:${caller.did}`,
        result: 'ok',
        details: { facts: facts.length, created: result.facts.filter((f) => f.created).length },
      })
      return result
    } catch (error) {
      if (error instanceof MeshError && error.status < 500) {
        await this.#deps.audit.record({
          actor: caller.did,
          action: 'knowledge.assert',
          resource: `agent:${caller.did}`,
          result: 'denied',
          details: { code: error.code, facts: facts.length, ...error.details },
        })
      }
      throw error
    }
  }

  async #assert(caller: Caller, facts: FactAssertion[]): Promise<AssertedFacts> {
    if (!caller.roles.includes('agent')) {
      throw new MeshError('FORBIDDEN', 'Only a principal with the agent role asserts facts')
    }
    if (facts.length === 0 || facts.length > MAX_FACTS_PER_ASSERTION) {
      throw new MeshError(
        'INVALID_INPUT',
        `Assert 1 to ${MAX_FACTS_PER_ASSERTION} facts at once, not ${facts.length}`,
      )
    }
    const worked = new Map<string, boolean>()
    for (const [index, fact] of facts.entries()) {
      try {
        verifyFact(fact)
      } catch (error) {
        const { code, message } = error as MeshError
        throw new MeshError(code, `Fact ${index}: ${message}`, { details: { index } })
      }
      if (fact.agent !== caller.did) {
        throw new MeshError(
          'FACT_SIGNER_MISMATCH',
          `Fact ${index} is signed by "${fact.agent}", not by the caller "${caller.did}"`,
          { details: { index } },
        )
      }
      if (fact.taskId === undefined) continue
      if (!worked.has(fact.taskId)) {
        const task = await this.#deps.tasks.get(fact.taskId)
        worked.set(fact.taskId, task?.attempts.some((a) => a.agentId === caller.did) ?? false)
      }
      if (!worked.get(fact.taskId)) {
        throw new MeshError(
          'FACT_SIGNER_MISMATCH',
          `Fact ${index} names task "${fact.taskId}", which "${caller.did}" did not work on`,
          { details: { index } },
        )
      }
    }
    return this.store(caller.did, facts)
  }

  /** Stores verified facts; `KNOWLEDGE_LIMIT_REACHED` when the agent would hold too many. */
  async store(agent: string, facts: FactAssertion[]): Promise<AssertedFacts> {
    const entries = facts.map((assertion) => ({ id: factId(assertion), assertion }))
    const created = await this.#deps.store.put(
      entries,
      this.#deps.clock.now(),
      this.#limits.maxFactsPerAgent,
    )
    if (!created) {
      throw new MeshError(
        'KNOWLEDGE_LIMIT_REACHED',
        `Agent "${agent}" would hold more than ${this.#limits.maxFactsPerAgent} facts`,
        { details: { limit: this.#limits.maxFactsPerAgent } },
      )
    }
    return { facts: entries.map(({ id }, i) => ({ id, created: created[i]! })) }
  }

  /**
   * Facts matching the filter, ranked by their agents' reputation then confidence, each read
   * counted. With `taskId`, the caller must be working on that task now: the facts are then tied
   * to it, and its end counts for their effectiveness.
   */
  async query(caller: Caller, query: KnowledgeQuery): Promise<KnowledgePage> {
    const { limit, taskId, ...filter } = query
    if (!filter.subject && !filter.relation && !filter.object) {
      throw new MeshError('INVALID_INPUT', 'Give a subject, a relation or an object to query')
    }
    if (taskId !== undefined) await this.#checkWorking(caller, taskId)
    const candidates = await this.#deps.store.find(filter, this.#limits.maxCandidates)
    const reputation = await this.#scores(candidates)
    const top = rankFacts(candidates, reputation).slice(0, limit)
    const ids = top.map((r) => r.id)
    await this.#deps.store.countReads(ids)
    if (taskId !== undefined) await this.#deps.store.recordUses(taskId, ids, this.#deps.clock.now())
    return { facts: top.map((r) => factView(counted(r), reputation.get(r.assertion.agent)!)) }
  }

  /** Shortest paths from one node to another along facts (subject to object), within limits. */
  async paths(request: {
    from: string
    to: string
    maxHops: number
    limit: number
  }): Promise<KnowledgePaths> {
    const { from, to, maxHops, limit } = request
    const result = await findPaths(
      {
        from,
        to,
        maxHops,
        maxPaths: limit,
        maxNodes: this.#limits.maxPathNodes,
        maxEdges: this.#limits.maxPathEdges,
      },
      (subjects, max) => this.#deps.store.fromSubjects(subjects, max),
    )
    const read = new Set(result.paths.flatMap((path) => path.map((hop) => hop.factId)))
    await this.#deps.store.countReads([...read])
    return { from, to, maxHops, ...result }
  }

  /** The caller has an attempt running on the task: else `TASK_NOT_FOUND` or `TASK_FINISHED`. */
  async #checkWorking(caller: Caller, taskId: string): Promise<void> {
    const task = await this.#deps.tasks.get(taskId)
    const mine = task?.attempts.filter((a) => a.agentId === caller.did) ?? []
    if (!task || mine.length === 0) {
      throw new MeshError('TASK_NOT_FOUND', `Task "${taskId}" is not one "${caller.did}" works on`)
    }
    if (isTerminal(task.state) || !mine.some((a) => a.endedAtMs === null)) {
      throw new MeshError('TASK_FINISHED', `Task "${taskId}" has ended: its reads count no more`)
    }
  }

  async #scores(records: FactRecord[]): Promise<Map<string, number>> {
    const agents = [...new Set(records.map((r) => r.assertion.agent))]
    const summaries = await this.#deps.reputation.summaries(agents)
    return new Map(agents.map((agent) => [agent, summaries.get(agent)?.score ?? 0]))
  }
}

/** The record with this read counted, as the store now holds it. */
function counted(record: FactRecord): FactRecord {
  return { ...record, usage: { ...record.usage, reads: record.usage.reads + 1 } }
}
