import type { Fact } from './knowledge.js'

/**
 * A fact as `GET /v1/knowledge` answers it: where it came from (the asserting agent, its
 * reputation now, the task, the time, the signature anyone can check with `verifyFact`) and how
 * it has served (reads, and the outcomes and ratings of tasks that read it).
 */
export interface FactView extends Fact {
  id: string
  provenance: {
    agent: string
    /** The task the fact came from; `null` when the agent asserted it on its own. */
    taskId: string | null
    assertedAt: string
    signature: string
    /** The agent's reputation score (0–5) when the fact was read: what ranks it first. */
    reputation: number
  }
  usage: {
    /** How many times the fact was returned by a query or a path. */
    reads: number
    /** Tasks whose agent read the fact while working on them. */
    tasks: number
    /** Of those, the ones that completed, and the ones that failed, timed out or were disputed. */
    completed: number
    failed: number
    /** `completed / (completed + failed)`; `null` before any such task ended. */
    effectiveness: number | null
    /** The requesters' ratings of those tasks. */
    ratings: { count: number; average: number | null }
  }
}

/** What `GET /v1/knowledge` answers: the facts, best-ranked first. */
export interface KnowledgePage {
  facts: FactView[]
}

/** What `POST /v1/knowledge` answers: each fact's id, and whether it was new. */
export interface AssertedFacts {
  facts: Array<{ id: string; created: boolean }>
}

/** One hop of a path: the most confident fact from `subject` to `object` by `relation`. */
export interface PathHop extends Fact {
  factId: string
  agent: string
}

/** What `GET /v1/knowledge/paths` answers: shortest paths, within the limits it names. */
export interface KnowledgePaths {
  from: string
  to: string
  maxHops: number
  /** Shortest first; each a list of hops from `from` to `to`. */
  paths: PathHop[][]
  /** How many distinct nodes the search reached. */
  visited: number
  /** Whether a limit (nodes or facts read) stopped the search before it finished. */
  truncated: boolean
}
