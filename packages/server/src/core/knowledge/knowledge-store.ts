import type { FactAssertion } from '@agentmesh/protocol'

/** How a fact has served: reads, and the ends and ratings of tasks that read it. */
export interface FactUsage {
  reads: number
  tasks: number
  completed: number
  failed: number
  ratingCount: number
  ratingSum: number
}

/** A fact as stored: one per agent and triple; a newer assertion of it replaces the older. */
export interface FactRecord {
  /** Derived from the agent and the triple (`factId`). */
  id: string
  assertion: FactAssertion
  assertedAtMs: number
  usage: FactUsage
}

/** Which facts a query asks for: any of subject, relation, object (at least one given). */
export interface FactFilter {
  subject?: string | undefined
  relation?: string | undefined
  object?: string | undefined
}

/** How a task that read facts ended, for their effectiveness. */
export type UseOutcome = 'completed' | 'failed' | 'canceled'

/** The knowledge graph's facts and their usage. */
export interface KnowledgeStore {
  /**
   * Stores the facts in one transaction (a fact already held, same id, is replaced, its usage
   * kept). Answers, per fact, whether it was new; or `undefined`, writing nothing, when an agent
   * would then hold more than `maxPerAgent` facts.
   */
  put(
    facts: Array<{ id: string; assertion: FactAssertion }>,
    atMs: number,
    maxPerAgent: number,
  ): Promise<boolean[] | undefined>
  /** Up to `limit` facts matching `filter`, the most confident first. */
  find(filter: FactFilter, limit: number): Promise<FactRecord[]>
  /** Up to `limit` facts whose subject is one of `subjects`, the most confident first. */
  fromSubjects(subjects: string[], limit: number): Promise<FactRecord[]>
  /** Counts one read of each fact. */
  countReads(ids: string[]): Promise<void>
  /** Notes that `taskId` read these facts; a fact counts each task once. */
  recordUses(taskId: string, ids: string[], atMs: number): Promise<void>
  /**
   * Settles the uses of `taskId` with how it ended, each use once: answers how many facts it
   * counted for.
   */
  settleUses(taskId: string, outcome: UseOutcome): Promise<number>
  /** Adds the task's rating to the facts it read, each use once; answers how many. */
  rateUses(taskId: string, stars: number): Promise<number>
}
