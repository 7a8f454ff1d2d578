/** What presence keeps of one agent. */
export interface PresenceEntry {
  /** The last heartbeat (or connection), epoch ms; null when never seen or disconnected. */
  lastSeenMs: number | null
  /** Live connections of the agent. */
  connections: number
  /** Tasks the agent runs now. */
  inFlight: number
  /** Whether the last transition reported was to online. */
  announcedOnline: boolean
}

/**
 * Where presence keeps its entries: in memory for one node; shared (a key-value store) for a
 * cluster. An entry read is a copy: a change is kept only once it is `set`.
 */
export interface PresenceStore {
  get(agentId: string): PresenceEntry | undefined
  set(agentId: string, entry: PresenceEntry): void
  delete(agentId: string): void
  /** Every entry kept, as copies. */
  entries(): Iterable<[string, PresenceEntry]>
}
