import { MemoryPresenceStore } from '../adapters/presence/memory-presence-store.js'
import { AjvSchemaChecker } from '../adapters/schema/ajv-schema-checker.js'
import { AnomalousReputation } from '../core/anomalies/anomalous-reputation.js'
import type { AnomalyDetector } from '../core/anomalies/anomaly-detector.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import { DiscoveryService } from '../core/discovery/discovery-service.js'
import { MarketplaceService } from '../core/marketplace/marketplace-service.js'
import type { PresenceStore } from '../core/ports/presence-store.js'
import type { ProviderDirectory } from '../core/ports/provider-directory.js'
import type { ScheduledJob } from '../core/ports/scheduler.js'
import { Presence } from '../core/registry/presence.js'
import { PresenceBookkeeping } from '../core/registry/presence-bookkeeping.js'
import { RegistryService } from '../core/registry/registry-service.js'
import type { ReputationService } from '../core/reputation/reputation-service.js'
import type { NodeBase } from './base.js'
import type { NodeModule } from './lifecycle.js'
import { meaningIndex } from './meaning-parts.js'

/**
 * The registry, presence, discovery and the marketplace. Missed heartbeats turn into offline
 * events at each sweep; stopping waits for the uptime writes in flight and the registry's.
 */
export function registryModule(
  base: NodeBase,
  deps: {
    audit: AuditLog
    reputation: ReputationService
    presenceStore?: PresenceStore
    /** Lowers an anomalous agent's reputation for ranking while the anomaly lasts. */
    anomalies?: AnomalyDetector
  },
) {
  const { config, store, clock, bus, logger, scheduler } = base
  const { audit, reputation } = deps
  const presence = new Presence(clock, {
    ttlMs: config.presenceTtlMs,
    // A cluster shares presence (a NATS KV bucket); an embedded node keeps it in memory.
    store: deps.presenceStore ?? new MemoryPresenceStore(),
  })
  const meaning = meaningIndex(base)
  const registry = new RegistryService({
    ...(meaning ? { embedder: meaning.embedder } : {}),
    store,
    clock,
    audit,
    bus,
    schemas: new AjvSchemaChecker(),
    presence,
    logger,
  })
  const discovery = new DiscoveryService(
    {
      store,
      presence,
      reputation: deps.anomalies
        ? new AnomalousReputation(
            reputation,
            deps.anomalies,
            config.observability.anomalies.rankingPenalty,
          )
        : reputation,
      bus,
      clock,
      ...(meaning ? { meaning } : {}),
    },
    {
      weights: config.rankingWeights,
      relevanceWeights: config.relevanceWeights,
      defaultCurrency: 'USD',
      cacheMs: config.cacheMs,
    },
  )
  const directory: ProviderDirectory = {
    candidates: (query) => discovery.candidates(query),
    knows: async (capabilityId) =>
      (await store.registry.match({ terms: [], capabilityId, limit: 1 })).length > 0,
  }
  const bookkeeping = new PresenceBookkeeping({ presence, recorder: reputation, clock })
  let sweep: ScheduledJob | undefined
  return {
    name: 'registry',
    presence,
    registry,
    discovery,
    directory,
    bookkeeping,
    marketplace: new MarketplaceService({
      store: store.marketplace,
      registry: store.registry,
      presence,
      audit,
      clock,
    }),
    async start() {
      const built = await meaning?.start()
      if (built) logger.info(built, 'meaning index built')
      sweep = scheduler.every('sweeping presence', Math.min(5000, config.presenceTtlMs / 3), () =>
        presence.sweep(),
      )
    },
    async stop() {
      sweep?.stop()
      await bookkeeping.settled()
      await registry.flush()
      meaning?.stop()
    },
  } satisfies NodeModule & Record<string, unknown>
}
