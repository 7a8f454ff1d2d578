import type { PresenceEntry, PresenceStore } from '../../core/ports/presence-store.js'

/** Presence of one node, in its memory. */
export class MemoryPresenceStore implements PresenceStore {
  readonly #entries = new Map<string, PresenceEntry>()

  get(agentId: string): PresenceEntry | undefined {
    const entry = this.#entries.get(agentId)
    return entry && { ...entry }
  }

  set(agentId: string, entry: PresenceEntry): void {
    this.#entries.set(agentId, { ...entry })
  }

  delete(agentId: string): void {
    this.#entries.delete(agentId)
  }

  *entries(): Iterable<[string, PresenceEntry]> {
    for (const [agentId, entry] of [...this.#entries]) yield [agentId, { ...entry }]
  }
}
