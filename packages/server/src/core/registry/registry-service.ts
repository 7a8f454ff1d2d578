import { MeshError, type AgentCard } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import type { AgentRecord, AgentVersion, RegistryEvent, RegistryStore } from './registry-store.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'
import type { Embedder } from '../ports/embedder.js'
import { capabilityPassage } from '../discovery/capability-text.js'
import type { Logger } from '../ports/logger.js'
import type { SchemaChecker } from '../ports/schema-checker.js'
import { DEFAULT_CARD_LIMITS, verifyCard, type CardLimits } from './card-verifier.js'
import type { Presence } from './presence.js'

/** The bus topic of registry changes; the body is a `RegistryEvent`. */
export const REGISTRY_CHANGED = 'registry.changed'

export interface RegistryDeps {
  store: { readonly registry: RegistryStore }
  clock: Clock
  audit: AuditSink
  bus: Bus
  schemas: SchemaChecker
  presence: Presence
  logger: Logger
  /** With it, capabilities are stored with their embeddings (discovery by meaning). */
  embedder?: Embedder
}

const isAdmin = (caller: Caller): boolean => caller.roles.includes('admin')

/**
 * The registry: agents publish signed cards, update them with a new signature and a higher
 * version, and leave (out of search, history kept). Every change is audited, stored as an event
 * and published on `registry.changed`, and so are presence transitions.
 */
export class RegistryService {
  readonly presence: Presence
  readonly #deps: RegistryDeps
  readonly #limits: CardLimits
  #presenceWrites: Promise<void> = Promise.resolve()

  constructor(deps: RegistryDeps, limits: Partial<CardLimits> = {}) {
    this.#deps = deps
    this.#limits = { ...DEFAULT_CARD_LIMITS, ...limits }
    this.presence = deps.presence
    this.presence.onChange((agentId, online) => {
      // Transitions are recorded in the order they happen, one after the other.
      this.#presenceWrites = this.#presenceWrites
        .then(() => this.#emit({ type: online ? 'online' : 'offline', agentId, data: {} }))
        .catch((error: unknown) =>
          deps.logger.error({ err: error, agentId }, 'recording a presence change failed'),
        )
    })
  }

  /** Registers a new agent (or one removed before) from its signed card. */
  async register(caller: Caller, jws: string): Promise<AgentRecord> {
    return this.#audited(caller, 'agent.register', caller.did, async () => {
      const card = this.#verify(caller, jws)
      const existing = await this.#deps.store.registry.get(card.did)
      if (existing && existing.removedAtMs === null) {
        throw new MeshError('AGENT_EXISTS', `Agent "${card.did}" is registered already: PATCH it`)
      }
      if (existing && card.version <= existing.version) {
        throw new MeshError(
          'VERSION_CONFLICT',
          `Card version ${card.version} must be higher than ${existing.version}`,
        )
      }
      const now = this.#deps.clock.now()
      return this.#put(
        {
          agentId: card.did,
          card,
          jws,
          version: card.version,
          registeredAtMs: existing?.registeredAtMs ?? now,
          updatedAtMs: now,
          removedAtMs: null,
        },
        'registered',
      )
    })
  }

  /** Replaces an agent's card with a newly signed one of a higher version. */
  async update(caller: Caller, agentId: string, jws: string): Promise<AgentRecord> {
    return this.#audited(caller, 'agent.update', agentId, async () => {
      const existing = await this.#active(agentId)
      const card = this.#verify(caller, jws)
      if (card.did !== agentId) {
        throw new MeshError('FORBIDDEN', `Card names "${card.did}", not "${agentId}"`)
      }
      if (card.version <= existing.version) {
        throw new MeshError(
          'VERSION_CONFLICT',
          `Card version ${card.version} must be higher than ${existing.version}`,
        )
      }
      return this.#put(
        {
          ...existing,
          card,
          jws,
          version: card.version,
          updatedAtMs: this.#deps.clock.now(),
        },
        'updated',
      )
    })
  }

  /** Takes an agent out of search (by itself or an admin); its signed versions stay. */
  async remove(caller: Caller, agentId: string): Promise<void> {
    await this.#audited(caller, 'agent.remove', agentId, async () => {
      await this.#active(agentId)
      if (caller.did !== agentId && !isAdmin(caller)) {
        throw new MeshError('FORBIDDEN', `Only "${agentId}" or an admin removes it`)
      }
      const now = this.#deps.clock.now()
      const event = await this.#deps.store.registry.remove(agentId, now, {
        type: 'removed',
        agentId,
        atMs: now,
        data: {},
      })
      if (!event) throw new MeshError('AGENT_NOT_FOUND', `Agent "${agentId}" is not registered`)
      this.presence.forget(agentId)
      await this.#deps.bus.publish(REGISTRY_CHANGED, event)
    })
  }

  /** The current card of a registered agent, or undefined when it is unknown or removed. */
  async get(agentId: string): Promise<AgentCard | undefined> {
    return (await this.record(agentId))?.card
  }

  /** The registered agent with its signed card, or undefined when it is unknown or removed. */
  async record(agentId: string): Promise<AgentRecord | undefined> {
    const record = await this.#deps.store.registry.get(agentId)
    return record && record.removedAtMs === null ? record : undefined
  }

  /** Every signed version of an agent's card, kept after removal for the audit trail. */
  versions(agentId: string): Promise<AgentVersion[]> {
    return this.#deps.store.registry.versions(agentId)
  }

  /** An agent says it is alive (and, optionally, how busy): online for another TTL. */
  async heartbeat(
    caller: Caller,
    agentId: string,
    inFlight?: number,
  ): Promise<{ ttlMs: number; expiresAtMs: number }> {
    if (caller.did !== agentId) {
      throw new MeshError('FORBIDDEN', `Only "${agentId}" sends its heartbeats`)
    }
    await this.#active(agentId)
    this.presence.heartbeat(agentId, inFlight)
    return { ttlMs: this.presence.ttlMs, expiresAtMs: this.#deps.clock.now() + this.presence.ttlMs }
  }

  /** Registry events after `seq`, for watchers resuming with Last-Event-ID. */
  eventsAfter(seq: number, limit = 500): Promise<RegistryEvent[]> {
    return this.#deps.store.registry.eventsAfter(seq, limit)
  }

  /** The latest event's sequence number: where a new watcher starts. */
  lastEventSeq(): Promise<number> {
    return this.#deps.store.registry.lastEventSeq()
  }

  /** Waits until the presence transitions reported so far are recorded. */
  flush(): Promise<void> {
    return this.#presenceWrites
  }

  #verify(caller: Caller, jws: string): AgentCard {
    return verifyCard(jws, {
      schemas: this.#deps.schemas,
      limits: this.#limits,
      checkSigner: (signer) => {
        if (signer !== caller.did) {
          throw new MeshError('FORBIDDEN', `Card is signed by "${signer}", not by the caller`)
        }
      },
    })
  }

  async #active(agentId: string): Promise<AgentRecord> {
    const record = await this.record(agentId)
    if (!record) throw new MeshError('AGENT_NOT_FOUND', `Agent "${agentId}" is not registered`)
    return record
  }

  async #put(record: AgentRecord, type: 'registered' | 'updated'): Promise<AgentRecord> {
    const { embedder } = this.#deps
    const embeddings = embedder && {
      model: embedder.model,
      vectors: await embedder.embed(record.card.capabilities.map(capabilityPassage)),
    }
    const event = await this.#deps.store.registry.put(
      record,
      {
        type,
        agentId: record.agentId,
        atMs: record.updatedAtMs,
        data: { version: record.version, name: record.card.name },
      },
      embeddings,
    )
    if (!event) {
      throw new MeshError('VERSION_CONFLICT', `Agent "${record.agentId}" has a newer card already`)
    }
    await this.#deps.bus.publish(REGISTRY_CHANGED, event)
    return record
  }

  async #emit(event: Omit<RegistryEvent, 'seq' | 'atMs'>): Promise<void> {
    const stored = await this.#deps.store.registry.appendEvent({
      ...event,
      atMs: this.#deps.clock.now(),
    })
    await this.#deps.bus.publish(REGISTRY_CHANGED, stored)
  }

  async #audited<T>(
    caller: Caller,
    action: string,
    agentId: string,
    run: () => Promise<T>,
  ): Promise<T> {
    const resource = `agent:${agentId}`
    try {
      const result = await run()
      await this.#deps.audit.record({ actor: caller.did, action, resource, result: 'ok' })
      return result
    } catch (error) {
      const code = error instanceof MeshError ? error.code : 'INTERNAL'
      await this.#deps.audit.record({
        actor: caller.did,
        action,
        resource,
        result: error instanceof MeshError && error.status < 500 ? 'denied' : 'error',
        details: { code },
      })
      throw error
    }
  }
}
