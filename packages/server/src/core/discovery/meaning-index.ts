import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'
import type { Embedder } from '../ports/embedder.js'
import type { Logger } from '../ports/logger.js'
import type { Neighbour, VectorIndex } from '../ports/vector-index.js'
import type {
  CapabilityMatch,
  CapabilityQuery,
  RegistryEvent,
  RegistryStore,
  StoredEmbedding,
} from '../registry/registry-store.js'
import { REGISTRY_CHANGED } from '../registry/registry-service.js'
import { capabilityPassage, queryPassage } from './capability-text.js'

/** Stored embeddings read per query while the index is built. */
const PAGE = 5000
/** Capabilities embedded per call when stored vectors are missing or from another model. */
const EMBED_BATCH = 500
/**
 * The least cosine similarity that makes a capability a candidate by meaning alone (a text match
 * is one anyway): the nearest is not near when nothing is.
 */
const MIN_SIMILARITY = 0.1

/** What building the index found: how many it holds, and how many had to be embedded first. */
export interface IndexBuild {
  size: number
  embedded: number
  ms: number
}

/**
 * Discovery by meaning: the vector index over every active capability's embedding. Built at start
 * from the stored embeddings (embedding those missing or made by another model, and storing
 * them), then kept current from the registry's change events, so every node of a cluster follows
 * the registry the others write. A search first waits for the changes received so far.
 */
export class MeaningIndex {
  readonly embedder: Embedder
  readonly #store: { readonly registry: RegistryStore }
  readonly #index: VectorIndex
  readonly #bus: Bus
  readonly #logger: Logger
  readonly #clock: Clock
  /** Each agent's keys in the index, to take out when its card changes. */
  readonly #keysByAgent = new Map<string, number[]>()
  /** The build, then every change after it, one after the other. */
  #work: Promise<void> = Promise.resolve()
  #unsubscribe: (() => void) | undefined

  constructor(deps: {
    store: { readonly registry: RegistryStore }
    embedder: Embedder
    index: VectorIndex
    bus: Bus
    logger: Logger
    clock: Clock
  }) {
    this.embedder = deps.embedder
    this.#store = deps.store
    this.#index = deps.index
    this.#bus = deps.bus
    this.#logger = deps.logger
    this.#clock = deps.clock
  }

  /** How many capabilities the index holds. */
  get size(): number {
    return this.#index.size
  }

  /** Builds the index from the store and follows the registry's changes from then on. */
  async start(): Promise<IndexBuild> {
    this.#unsubscribe = this.#bus.subscribe(REGISTRY_CHANGED, (message) => {
      const event = message.body as RegistryEvent
      if (event.type === 'online' || event.type === 'offline') return
      this.#work = this.#work
        .then(() => this.#follow(event.agentId))
        .catch((error: unknown) =>
          this.#logger.error(
            { err: error, agentId: event.agentId },
            'updating the meaning index failed',
          ),
        )
    })
    const build = this.#build()
    this.#work = build.then(() => {})
    return build
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    this.#index.close()
  }

  /** The unit vector of a query; undefined when the embedder knows none of its words. */
  async queryVector(query: string): Promise<Float32Array | undefined> {
    const [vector] = await this.embedder.embed([queryPassage(query)])
    return vector && !isZero(vector) ? vector : undefined
  }

  /** The `k` capabilities nearest in meaning to `vector`, nearest first. */
  async nearest(vector: Float32Array, k: number): Promise<Neighbour[]> {
    await this.#work
    return this.#index.search(vector, k)
  }

  /**
   * A search's candidates: its text matches and the `k` capabilities nearest to `vector` (at
   * least `MIN_SIMILARITY`) that pass its filters, each with its stored embedding.
   */
  async matches(
    query: CapabilityQuery,
    vector: Float32Array,
    k: number,
  ): Promise<CapabilityMatch[]> {
    const registry = this.#store.registry
    const text = await registry.match({ ...query, withEmbedding: true })
    const seen = new Set(text.map((m) => m.key))
    const keys = (await this.nearest(vector, k))
      .filter((n) => n.similarity >= MIN_SIMILARITY && !seen.has(n.key))
      .map((n) => n.key)
    const near = await registry.match({
      ...query,
      terms: [],
      keys,
      limit: keys.length,
      withEmbedding: true,
    })
    return [...text, ...near]
  }

  async #build(): Promise<IndexBuild> {
    const started = this.#clock.now()
    let embedded = 0
    let afterKey = 0
    for (;;) {
      const page = await this.#store.registry.embeddings({ afterKey, limit: PAGE })
      if (page.length === 0) break
      embedded += await this.#add(page)
      afterKey = page.at(-1)!.key
    }
    return { size: this.#index.size, embedded, ms: this.#clock.now() - started }
  }

  /** The agent's capabilities as now stored replace those the index held for it. */
  async #follow(agentId: string): Promise<void> {
    this.#index.remove(this.#keysByAgent.get(agentId) ?? [])
    this.#keysByAgent.delete(agentId)
    await this.#add(await this.#store.registry.embeddings({ agentId }))
  }

  /** Adds stored embeddings, embedding (and storing) those missing or stale; answers how many. */
  async #add(rows: StoredEmbedding[]): Promise<number> {
    const model = this.embedder.model
    const stale = rows.filter((r) => r.model !== model || r.vector === null).map((r) => r.key)
    const fresh = new Map<number, Float32Array>()
    for (let i = 0; i < stale.length; i += EMBED_BATCH) {
      const keys = stale.slice(i, i + EMBED_BATCH)
      const matches = await this.#store.registry.match({
        terms: [],
        keys,
        limit: keys.length,
        withCapability: true,
      })
      const withCapability = matches.flatMap((m) => (m.capability ? [m] : []))
      const vectors = await this.embedder.embed(
        withCapability.map((m) => capabilityPassage(m.capability!)),
      )
      const made = withCapability.map((m, j) => ({ key: m.key, vector: vectors[j]! }))
      await this.#store.registry.setEmbeddings(model, made)
      for (const { key, vector } of made) fresh.set(key, vector)
    }
    const entries: { key: number; vector: Float32Array }[] = []
    for (const row of rows) {
      const vector = fresh.get(row.key) ?? (row.model === model ? row.vector : null)
      if (!vector || isZero(vector)) continue
      entries.push({ key: row.key, vector })
      const keys = this.#keysByAgent.get(row.agentId)
      if (keys) keys.push(row.key)
      else this.#keysByAgent.set(row.agentId, [row.key])
    }
    this.#index.add(entries)
    return fresh.size
  }
}

function isZero(vector: Float32Array): boolean {
  for (const x of vector) if (x !== 0) return false
  return true
}

/** The cosine similarity of a unit vector and a stored one; 0 without a stored embedding. */
export function cosine(vector: Float32Array, embedding: Float32Array | null | undefined): number {
  if (!embedding || embedding.length !== vector.length) return 0
  let sum = 0
  for (let d = 0; d < vector.length; d++) sum += vector[d]! * embedding[d]!
  return sum
}
