import {
  signFact,
  type AssertedFacts,
  type Fact,
  type KeyPair,
  type KnowledgePage,
  type KnowledgePaths,
} from '@agentmesh/protocol'
import { SdkError } from './sdk-error.js'

/** What this client needs of a `Mesh`: its requests. */
interface Requester {
  request<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | boolean | undefined>,
  ): Promise<T>
}

/** Which facts to read: any of subject, relation, object (one at least), and how many (≤ 100). */
export interface KnowledgeQuery {
  subject?: string
  relation?: string
  object?: string
  limit?: number
}

/** How far a path query looks (`maxHops` ≤ 6, default 3) and how many paths (≤ 20, default 5). */
export interface PathOptions {
  maxHops?: number
  limit?: number
}

/** The knowledge graph (`/v1/knowledge`): assert signed facts, query them, follow paths. */
export class Knowledge {
  readonly #mesh: Requester
  readonly #key: KeyPair | undefined

  constructor(mesh: Requester, key: KeyPair | undefined) {
    this.#mesh = mesh
    this.#key = key
  }

  /**
   * Signs each fact with the mesh's key (an agent's), or `key`, bound to `taskId` when given, and
   * asserts them, all or none.
   */
  assert(
    facts: Fact | Fact[],
    options: { taskId?: string; key?: KeyPair } = {},
  ): Promise<AssertedFacts> {
    const key = options.key ?? this.#key
    if (!key) throw new SdkError('BAD_OPTIONS', 'Asserting facts needs a key: connect with one')
    const list = Array.isArray(facts) ? facts : [facts]
    return this.#mesh.request('POST', '/v1/knowledge', {
      facts: list.map((fact) => signFact(fact, key, options.taskId)),
    })
  }

  /**
   * Facts ranked by their agents' reputation, then confidence, with provenance and usage. With
   * `taskId` (an agent working on that task) the facts count as used by the task.
   */
  query(query: KnowledgeQuery & { taskId?: string }): Promise<KnowledgePage> {
    return this.#mesh.request('GET', '/v1/knowledge', undefined, { ...query })
  }

  /** Shortest paths along facts from `from` to `to`. */
  paths(from: string, to: string, options: PathOptions = {}): Promise<KnowledgePaths> {
    return this.#mesh.request('GET', '/v1/knowledge/paths', undefined, { from, to, ...options })
  }
}
