import { formatAmount, type AgentCard } from '@agentmesh/protocol'
import {
  DiscoveryService,
  MemoryPresenceStore,
  openStore,
  Presence,
  type ReputationSummary,
  searchWords,
} from 'agentmesh/internal'
import { benchEmbedder, cardEmbeddings, englishWords, meaningBench } from './meaning-bench.js'
import { against, percentile, type BenchFigure } from './measure.js'

const CAPABILITIES_PER_AGENT = 4
const QUERIES = 300
const WARMUP = 30
/** The linear scan takes about 100 ms a query at 100,000 capabilities: every third query. */
const SCAN_EVERY = 3

/** A small deterministic PRNG (mulberry32), so every run indexes the same registry. */
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Row {
  agentId: string
  capabilityId: string
  words: string[]
  priceMicros: bigint
}

/**
 * Synthetic agents: names, descriptions and capability ids drawn from `vocabulary` (English words
 * the word vectors know, so that the capabilities have a meaning to index).
 */
function syntheticAgents(
  capabilities: number,
  vocabulary: string[],
  random: () => number,
): AgentCard[] {
  const word = () => vocabulary[Math.floor(random() * vocabulary.length)]!
  const words = (n: number) => Array.from({ length: n }, word).join(' ')
  const cards: AgentCard[] = []
  for (let i = 0; i * CAPABILITIES_PER_AGENT < capabilities; i++) {
    const did = `did:key:z6Mkbench${i.toString().padStart(40, '0')}`
    cards.push({
      did,
      name: words(2),
      description: words(8),
      version: 1,
      concurrency: 4,
      capabilities: Array.from({ length: CAPABILITIES_PER_AGENT }, (_, j) => ({
        id: `${word()}.${word()}${j}`,
        description: words(10),
        tags: [word(), word()],
        input: { type: 'object' },
        output: { type: 'object' },
        pricing: {
          model: 'per_call' as const,
          amount: formatAmount(BigInt(1 + Math.floor(random() * 50_000))),
          currency: 'USD',
        },
        sla: { timeoutMs: 5000, p95LatencyMs: 50 + Math.floor(random() * 2000) },
      })),
    })
  }
  return cards
}

/** The baseline: rank by scanning every capability in memory for the query's word prefixes. */
function linearScan(rows: Row[], terms: string[], limit: number): Row[] {
  const hits: { row: Row; score: number }[] = []
  for (const row of rows) {
    let score = 0
    for (const term of terms) for (const w of row.words) if (w.startsWith(term)) score++
    if (score > 0) hits.push({ row, score: score - Number(row.priceMicros) / 1e9 })
  }
  return hits
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((h) => h.row)
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
 * Search over a registry of `capabilities` capabilities on SQLite (FTS5), ranked with presence
 * and reputation, against a linear scan of the same capabilities in memory; p50 and p99 per query.
 * Then discovery by meaning over the same registry (see `meaningBench`).
 */
export async function registryBench(
  _durationMs: number,
  options: { capabilities?: number; log?: (line: string) => void } = {},
): Promise<BenchFigure[]> {
  const total = options.capabilities ?? 100_000
  const random = prng(42)
  const cards = syntheticAgents(total, await englishWords(), random)
  const embedder = benchEmbedder()
  const store = await openStore({ kind: 'sqlite', filename: ':memory:' })
  try {
    const started = performance.now()
    for (const card of cards) {
      await store.registry.put(
        {
          agentId: card.did,
          card,
          jws: '',
          version: 1,
          registeredAtMs: 0,
          updatedAtMs: 0,
          removedAtMs: null,
        },
        { type: 'registered', agentId: card.did, atMs: 0, data: {} },
        await cardEmbeddings(embedder, card),
      )
    }
    options.log?.(
      `  stored ${cards.length * CAPABILITIES_PER_AGENT} capabilities with their embeddings in ${Math.round(performance.now() - started)} ms`,
    )
    const clock = { now: () => Date.now() }
    const presence = new Presence(clock, { store: new MemoryPresenceStore() })
    const summaries = new Map<string, ReputationSummary>()
    for (const [i, card] of cards.entries()) {
      if (i % 2 === 0) presence.heartbeat(card.did, i % 4)
      if (i % 3 !== 0) {
        summaries.set(card.did, {
          agentId: card.did,
          score: 1 + random() * 4,
          calls: 100,
          successRate: 0.9,
          p95LatencyMs: 100 + Math.floor(random() * 1000),
        })
      }
    }
    const reputation = {
      summaries: (ids: string[]) =>
        Promise.resolve(
          new Map(
            ids.flatMap((id) => {
              const s = summaries.get(id)
              return s ? [[id, s] as const] : []
            }),
          ),
        ),
    }
    const discovery = new DiscoveryService(
      { store, presence, reputation },
      { defaultCurrency: 'USD' },
    )
    const rows: Row[] = cards.flatMap((card) =>
      card.capabilities.map((c) => ({
        agentId: card.did,
        capabilityId: c.id,
        words: searchWords(
          `${card.name} ${c.id} ${(c.tags ?? []).join(' ')} ${card.description} ${c.description}`,
        ),
        priceMicros: BigInt(Math.round(Number(c.pricing.amount) * 1e6)),
      })),
    )
    const queries = Array.from({ length: QUERIES + WARMUP }, (_, i) => {
      const card = cards[Math.floor(random() * cards.length)]!
      const words = searchWords(`${card.name} ${card.description}`)
      const q = i % 2 === 0 ? words[0]! : `${words[1]!} ${words[2]!}`
      return i % 3 === 0 ? { q, maxPrice: '0.03' } : { q }
    })
    // One loop each, so that one's garbage is not collected during the other's timing.
    const indexed: number[] = []
    for (const [i, query] of queries.entries()) {
      const t = performance.now()
      await discovery.search({ ...query, limit: 20 })
      if (i >= WARMUP) indexed.push(performance.now() - t)
    }
    const scanned: number[] = []
    for (const [i, query] of queries.entries()) {
      if (i % SCAN_EVERY !== 0) continue
      const t = performance.now()
      linearScan(rows, searchWords(query.q), 20)
      if (i >= WARMUP) scanned.push(performance.now() - t)
    }
    const n = rows.length.toLocaleString('en-US')
    const baseline = timed(`search ${n} capabilities (linear scan, in memory)`, scanned)
    const search = timed(`search ${n} capabilities (SQLite FTS5 + ranking)`, indexed)
    const meaning = await meaningBench({
      deps: { store, presence, reputation },
      embedder,
      queries,
      warmup: WARMUP,
      baseline,
      ...(options.log ? { log: options.log } : {}),
    })
    return [baseline, against(search, baseline), ...meaning]
  } finally {
    await store.close()
  }
}
