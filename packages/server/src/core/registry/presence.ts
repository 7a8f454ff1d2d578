import type { Clock } from '../ports/clock.js'

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

interface Entry {
  lastSeenMs: number | null
  connections: number
  inFlight: number
  announcedOnline: boolean
}

/**
 * Liveness of agents on this node. An agent is online while it has a live connection (the
 * WebSocket gateway calls `connected`/`disconnected`) or while its last heartbeat is younger than
 * the TTL. Transitions are reported once each through `onChange`: going online at once, going
 * offline when the connection closes or, for a missed heartbeat, at the next `sweep()`.
 */
export class Presence {
  readonly ttlMs: number
  readonly #clock: Clock
  readonly #entries = new Map<string, Entry>()
  #onChange: (agentId: string, online: boolean) => void = () => {}

  constructor(clock: Clock, options: { ttlMs?: number } = {}) {
    this.#clock = clock
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
    this.#announce(agentId, entry)
  }

  /** A live connection opened: online until it closes. */
  connected(agentId: string): void {
    const entry = this.#entry(agentId)
    entry.connections++
    entry.lastSeenMs = this.#clock.now()
    this.#announce(agentId, entry)
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
    this.#announce(agentId, entry)
  }

  /** How many tasks the agent runs now; ranking prefers idle agents. */
  setLoad(agentId: string, inFlight: number): void {
    this.#entry(agentId).inFlight = Math.max(0, inFlight)
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
    return [...this.#entries].filter(([, entry]) => this.#live(entry)).map(([id]) => id)
  }

  /** Reports agents whose heartbeat expired and forgets the ones with nothing left to know. */
  sweep(): void {
    for (const [agentId, entry] of this.#entries) {
      this.#announce(agentId, entry)
      if (!entry.announcedOnline && entry.connections === 0) this.#entries.delete(agentId)
    }
  }

  /** Drops an agent (removed from the registry) without reporting it. */
  forget(agentId: string): void {
    this.#entries.delete(agentId)
  }

  #entry(agentId: string): Entry {
    let entry = this.#entries.get(agentId)
    if (!entry) {
      entry = { lastSeenMs: null, connections: 0, inFlight: 0, announcedOnline: false }
      this.#entries.set(agentId, entry)
    }
    return entry
  }

  #live(entry: Entry): boolean {
    return (
      entry.connections > 0 ||
      (entry.lastSeenMs !== null && this.#clock.now() - entry.lastSeenMs < this.ttlMs)
    )
  }

  #announce(agentId: string, entry: Entry): void {
    const online = this.#live(entry)
    if (online === entry.announcedOnline) return
    entry.announcedOnline = online
    this.#onChange(agentId, online)
  }
}
