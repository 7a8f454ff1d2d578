import { generateKeyPair, signJws, type AgentCard, type KeyPair } from '@agentmesh/protocol'
import { MemoryBus } from '../../src/adapters/bus/memory-bus.js'
import { AjvSchemaChecker } from '../../src/adapters/schema/ajv-schema-checker.js'
import { openStore } from '../../src/adapters/store/open-store.js'
import type { Caller } from '../../src/core/auth/caller.js'
import { DiscoveryService } from '../../src/core/discovery/discovery-service.js'
import { MeaningIndex } from '../../src/core/discovery/meaning-index.js'
import type { Embedder } from '../../src/core/ports/embedder.js'
import type { VectorIndex } from '../../src/core/ports/vector-index.js'
import type { RankingWeights } from '../../src/core/discovery/ranking.js'
import type { AuditEvent } from '../../src/core/ports/audit-sink.js'
import type { Logger } from '../../src/core/ports/logger.js'
import type { ReputationSource, ReputationSummary } from '../../src/core/ports/reputation-source.js'
import type { Store } from '../../src/core/store.js'
import { MemoryPresenceStore } from '../../src/adapters/presence/memory-presence-store.js'
import { Presence } from '../../src/core/registry/presence.js'
import { RegistryService } from '../../src/core/registry/registry-service.js'

export class TestClock {
  nowMs = 1_800_000_000_000
  now = () => this.nowMs
}

/** Reputation a test sets by hand. */
export class FixedReputation implements ReputationSource {
  readonly byAgent = new Map<string, ReputationSummary>()
  set(agentId: string, summary: Partial<ReputationSummary>): void {
    this.byAgent.set(agentId, {
      agentId,
      score: 3,
      calls: 10,
      successRate: 1,
      p95LatencyMs: null,
      ...summary,
    })
  }
  summaries(agentIds: string[]): Promise<Map<string, ReputationSummary>> {
    return Promise.resolve(
      new Map(
        agentIds.flatMap((id) => (this.byAgent.has(id) ? [[id, this.byAgent.get(id)!]] : [])),
      ),
    )
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** What discovery by meaning is made of, for `registryFixture`. */
interface Meaning {
  embedder: Embedder
  index: VectorIndex
}

/**
 * Registry and discovery over a fresh in-memory SQLite store, driven by a test clock; with
 * `meaning`, discovery ranks by meaning too (its embedder embeds what the registry stores).
 */
export async function registryFixture(
  options: { weights?: Partial<RankingWeights>; store?: Store; meaning?: Meaning } = {},
) {
  const store = options.store ?? (await openStore({ kind: 'sqlite', filename: ':memory:' }))
  const clock = new TestClock()
  const bus = new MemoryBus()
  const audit: AuditEvent[] = []
  const presence = new Presence(clock, { ttlMs: 30_000, store: new MemoryPresenceStore() })
  const reputation = new FixedReputation()
  const meaning =
    options.meaning && new MeaningIndex({ store, bus, logger: silent, clock, ...options.meaning })
  await meaning?.start()
  const registry = new RegistryService({
    ...(meaning ? { embedder: meaning.embedder } : {}),
    store,
    clock,
    bus,
    presence,
    logger: silent,
    schemas: new AjvSchemaChecker(),
    audit: { record: (event) => Promise.resolve(void audit.push(event)) },
  })
  const discovery = new DiscoveryService(
    { store, presence, reputation, bus, clock, ...(meaning ? { meaning } : {}) },
    { defaultCurrency: 'USD', ...(options.weights ? { weights: options.weights } : {}) },
  )
  const callerOf = (key: KeyPair): Caller => ({ did: key.did, roles: ['agent'] })
  /** Registers a card for a new key (or `key`) and answers the key. */
  const add = async (card: (key: KeyPair) => AgentCard, key = generateKeyPair()) => {
    await registry.register(callerOf(key), signJws(card(key), key))
    return key
  }
  return {
    store,
    clock,
    bus,
    audit,
    presence,
    reputation,
    registry,
    discovery,
    meaning,
    callerOf,
    add,
  }
}
