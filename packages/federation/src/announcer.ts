import type { FederationHost } from 'agentmesh/internal'
import { signAnnouncement, type Announcement } from './announcement.js'

/** The gossipsub topic of announcements. */
export const ANNOUNCE_TOPIC = 'agentmesh/announce/1'
/** The stream protocol that answers a node's current announcement (after a DHT lookup). */
export const ANNOUNCE_PROTOCOL = '/agentmesh/announce/1'

/**
 * Builds this node's signed announcement from its online agents' signed cards. The sequence
 * starts at the clock's time, so a restarted node's announcements supersede its earlier ones.
 */
export class Announcer {
  readonly #host: FederationHost
  #seq: number
  #capabilities = ''

  constructor(host: FederationHost) {
    this.#host = host
    this.#seq = host.clock.now()
  }

  /** A fresh announcement, and whether the set of capabilities changed since the last. */
  async next(addrs: string[]): Promise<{ jws: string; capabilityIds: string[]; changed: boolean }> {
    const { presence, registry, clock, config, key } = this.#host
    const cards: string[] = []
    const ids = new Set<string>()
    for (const agentId of presence.onlineAgents().slice(0, 256)) {
      const record = await registry.record(agentId)
      if (!record || record.removedAtMs !== null) continue
      cards.push(record.jws)
      for (const capability of record.card.capabilities) ids.add(capability.id)
    }
    const now = clock.now()
    this.#seq = Math.max(this.#seq + 1, now)
    const announcement: Announcement = {
      v: 1,
      node: key.did,
      seq: this.#seq,
      issuedAtMs: now,
      ttlMs: config.announceTtlMs,
      cards,
      addrs: addrs.slice(0, 16),
    }
    const capabilityIds = [...ids].sort()
    const joined = capabilityIds.join(',')
    const changed = joined !== this.#capabilities
    this.#capabilities = joined
    return { jws: signAnnouncement(announcement, key), capabilityIds, changed }
  }
}
