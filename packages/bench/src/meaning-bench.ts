import type { AgentCard } from '@agentmesh/protocol'
import {
  capabilityPassage,
  DiscoveryService,
  ExactVectorIndex,
  MeaningIndex,
  readWordVectors,
  UsearchVectorIndex,
  WORD_VECTORS,
  WordVectorEmbedder,
  type SearchInput,
} from 'agentmesh/internal'
import { against, percentile, type BenchFigure } from './measure.js'

/** The most frequent words are function words; the synthetic cards use the ones after them. */
const SKIP_WORDS = 1000
const VOCABULARY = 10_000
/** Nearest neighbours asked of the index per query: discovery's candidate limit. */
const NEAREST = 200
const EXACT_QUERIES = 60

type DiscoveryDeps = ConstructorParameters<typeof DiscoveryService>[0]

/** English words from the word vectors (letters only), for cards whose meaning the vectors know. */
export async function englishWords(): Promise<string[]> {
  const { rows } = await readWordVectors(WORD_VECTORS)
  return [...rows.keys()]
    .slice(SKIP_WORDS)
    .filter((word) => /^\p{L}+$/u.test(word))
    .slice(0, VOCABULARY)
}

/** The embedder `agentmesh up` uses; its model names what the stored embeddings came from. */
export const benchEmbedder = (): WordVectorEmbedder => new WordVectorEmbedder(WORD_VECTORS)

/** The embeddings of a card's capabilities, to store with them. */
export async function cardEmbeddings(embedder: WordVectorEmbedder, card: AgentCard) {
  return {
    model: embedder.model,
    vectors: await embedder.embed(card.capabilities.map(capabilityPassage)),
  }
}

function timed(name: string, samples: number[]): BenchFigure {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length
  return {
    suite: 'registry',
    name,
    opsPerSec: 1000 / mean,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  }
}

/**
 * Discovery by meaning over the bench's registry (whose capabilities are stored with their
 * embeddings): the HNSW index's build time, the nearest-neighbour search against an exact scan
 * of the same vectors, and whole searches (text matches + nearest by meaning + ranking) against
 * `baseline`.
 */
export async function meaningBench(options: {
  deps: Omit<DiscoveryDeps, 'meaning'>
  embedder: WordVectorEmbedder
  queries: SearchInput[]
  warmup: number
  baseline: BenchFigure
  log?: (line: string) => void
}): Promise<BenchFigure[]> {
  const { deps, embedder, queries, warmup } = options
  const bus = { publish: () => Promise.resolve(), subscribe: () => () => {}, stop: async () => {} }
  const logger = { debug() {}, info() {}, warn() {}, error() {} }
  const clock = { now: () => Date.now() }
  const index = new UsearchVectorIndex(embedder.dimensions)
  const meaning = new MeaningIndex({ store: deps.store, embedder, index, bus, logger, clock })
  const build = await meaning.start()
  options.log?.(
    `  built the HNSW index of ${build.size} embeddings in ${build.ms} ms (${build.embedded} embedded first)`,
  )
  try {
    const vectors = await Promise.all(queries.map((q) => meaning.queryVector(q.q ?? '')))
    const known = vectors.filter((v): v is Float32Array => v !== undefined)
    const exact = new ExactVectorIndex()
    for (let afterKey = 0; ;) {
      const page = await deps.store.registry.embeddings({ afterKey, limit: 10_000 })
      if (page.length === 0) break
      exact.add(page.flatMap((r) => (r.vector ? [{ key: r.key, vector: r.vector }] : [])))
      afterKey = page.at(-1)!.key
    }
    const nearest = (searched: ExactVectorIndex | UsearchVectorIndex, count: number) => {
      const samples: number[] = []
      for (const [i, vector] of known.slice(0, count + warmup).entries()) {
        const t = performance.now()
        searched.search(vector, NEAREST)
        if (i >= warmup) samples.push(performance.now() - t)
      }
      return samples
    }
    const n = build.size.toLocaleString('en-US')
    const scan = timed(
      `nearest ${NEAREST} of ${n} vectors (exact scan)`,
      nearest(exact, EXACT_QUERIES),
    )
    const hnsw = timed(
      `nearest ${NEAREST} of ${n} vectors (USearch HNSW)`,
      nearest(index, known.length),
    )
    exact.close()

    const discovery = new DiscoveryService({ ...deps, meaning }, { defaultCurrency: 'USD' })
    const searched: number[] = []
    for (const [i, query] of queries.entries()) {
      const t = performance.now()
      await discovery.search({ ...query, limit: 20 })
      if (i >= warmup) searched.push(performance.now() - t)
    }
    const search = timed(`search ${n} capabilities (SQLite FTS5 + vectors + ranking)`, searched)
    const built: BenchFigure = {
      suite: 'registry',
      name: `build the vector index of ${n} embeddings (${build.ms} ms)`,
      opsPerSec: (build.size * 1000) / Math.max(1, build.ms),
    }
    return [built, scan, against(hnsw, scan), against(search, options.baseline)]
  } finally {
    meaning.stop()
  }
}
