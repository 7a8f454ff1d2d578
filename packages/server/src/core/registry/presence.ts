import type { Clock } from '../ports/clock.js'
import type { PresenceEntry, PresenceStore } from '../ports/presence-store.js'

export const DEFAULT_PRESENCE_TTL_MS = 30_000

/** What presence knows of one agent. */
export interface PresenceState {
  online: boolean
  /** The last heartbeat (or connection), epoch ms; null when never seen or disconnected. */
  lastSeenMs: number | null
  connections: number
  /** Tasks the agent is running now, as it or its gateway reports. */
  inFlight: number
}

/**
 * Liveness of agents on this node. An agent is online while it has a live connection (the
 * WebSocket gateway calls `connected`/`disconnected`) or while its last heartbeat is younger than
 * the TTL. Transitions are reported once each through `onChange`: going online at once, going
 * offline when the connection closes or, for a missed heartbeat, at the next `sweep()`. The
 * entries live in a `PresenceStore` (this node's memory, or a store shared by a cluster).
 */
export class Presence {
  readonly ttlMs: number
  readonly #clock: Clock
  readonly #entries: PresenceStore
  #onChange: (agentId: string, online: boolean) => void = () => {}

  constructor(clock: Clock, options: { ttlMs?: number; store: PresenceStore }) {
    this.#clock = clock
    this.#entries = options.store
    this.ttlMs = options.ttlMs ?? DEFAULT_PRESENCE_TTL_MS
  }

  /** Sets who hears of transitions (the registry, which records and publishes them). */
  onChange(listener: (agentId: string, online: boolean) => void): void {
    this.#onChange = listener
  }

  /** A heartbeat: online for another TTL. `inFlight` updates the load when given. */
  heartbeat(agentId: string, inFlight?: number): void {
    const entry = this.#entry(agentId)
    entry.lastSeenMs = this.#clock.now()
    if (inFlight !== undefined) entry.inFlight = Math.max(0, inFlight)
    this.#save(agentId, entry)
  }

  /** A live connection opened: online until it closes. */
  connected(agentId: string): void {
    const entry = this.#entry(agentId)
    entry.connections++
    entry.lastSeenMs = this.#clock.now()
    this.#save(agentId, entry)
  }

  /** A live connection closed: offline at once when it was the last one. */
  disconnected(agentId: string): void {
    const entry = this.#entries.get(agentId)
    if (!entry || entry.connections === 0) return // no connection to close
    entry.connections--
    if (entry.connections === 0) {
      entry.lastSeenMs = null
      entry.inFlight = 0
    }
    this.#save(agentId, entry)
  }

  /** How many tasks the agent runs now; ranking prefers idle agents. */
  setLoad(agentId: string, inFlight: number): void {
    const entry = this.#entry(agentId)
    entry.inFlight = Math.max(0, inFlight)
    this.#entries.set(agentId, entry)
  }

  isOnline(agentId: string): boolean {
    const entry = this.#entries.get(agentId)
    return entry !== undefined && this.#live(entry)
  }

  state(agentId: string): PresenceState {
    const entry = this.#entries.get(agentId)
    if (!entry) return { online: false, lastSeenMs: null, connections: 0, inFlight: 0 }
    const { lastSeenMs, connections, inFlight } = entry
    return { online: this.#live(entry), lastSeenMs, connections, inFlight }
  }

  /** The agents online now. */
  onlineAgents(): string[] {
    return [...this.#entries.entries()].filter(([, entry]) => this.#live(entry)).map(([id]) => id)
  }

  /** Reports agents whose heartbeat expired and forgets the ones with nothing left to know. */
  sweep(): void {
    for (const [agentId, entry] of this.#entries.entries()) {
      this.#save(agentId, entry)
      if (!entry.announcedOnline && entry.connections === 0) this.#entries.delete(agentId)
    }
  }

  /** Drops an agent (removed from the registry) without reporting it. */
  forget(agentId: string): void {
    this.#entries.delete(agentId)
  }

  /** The agent's entry (a fresh one when unknown), to change and `set` back. */
  #entry(agentId: string): PresenceEntry {
    return (
      this.#entries.get(agentId) ?? {
        lastSeenMs: null,
        connections: 0,
        inFlight: 0,
        announcedOnline: false,
      }
    )
  }

  #live(entry: PresenceEntry): boolean {
    return (
      entry.connections > 0 ||
      (entry.lastSeenMs !== null && this.#clock.now() - entry.lastSeenMs < this.ttlMs)
    )
  }

  /** Keeps the entry, then reports its transition, if it made one. */
  #save(agentId: string, entry: PresenceEntry): void {
    const online = this.#live(entry)
    const changed = online !== entry.announcedOnline
    entry.announcedOnline = online
    this.#entries.set(agentId, entry)
    if (changed) this.#onChange(agentId, online)
  }
}
