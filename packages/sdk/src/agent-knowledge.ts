import {
  signFact,
  type AssertedFacts,
  type Fact,
  type FactAssertion,
  type KeyPair,
  type KnowledgePage,
} from '@agentmesh/protocol'
import type { KnowledgeQuery } from './knowledge-client.js'
import type { Mesh } from './mesh.js'
import { SdkError } from './sdk-error.js'

/** The knowledge graph as a task's handler sees it: everything is on the task's behalf. */
export interface TaskKnowledge {
  /** Asserts facts signed by this agent, bound to this task. */
  assert(facts: Fact | Fact[]): Promise<AssertedFacts>
  /**
   * Reads facts for this task: they count as used by it, and how it ends (and its rating) counts
   * for their effectiveness.
   */
  query(query: KnowledgeQuery): Promise<KnowledgePage>
  /**
   * Signs a fact for this task, to return in the output of a capability that declares
   * `outputFacts`: the node stores it when the task completes.
   */
  sign(fact: Fact): FactAssertion
}

/** `ctx.knowledge` for one task, over the agent's session (`mesh()`, unset while disconnected). */
export function taskKnowledge(
  mesh: () => Mesh | undefined,
  taskId: string,
  key: KeyPair,
): TaskKnowledge {
  const connected = () => {
    const current = mesh()
    if (!current) throw new SdkError('NETWORK', 'Not connected')
    return current.knowledge
  }
  return {
    assert: async (facts) => connected().assert(facts, { taskId, key }),
    query: async (query) => connected().query({ ...query, taskId }),
    sign: (fact) => signFact(fact, key, taskId),
  }
}
