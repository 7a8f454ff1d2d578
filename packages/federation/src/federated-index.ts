import type { AgentCard, Capability } from '@agentmesh/protocol'
import type { VerifiedAnnouncement } from './announcement.js'

/** A remote agent's capability as the index keeps it. */
export interface RemoteOffer {
  peerDid: string
  peerId: string
  agentId: string
  agentName: string
  capability: Capability
}

interface PeerEntry {
  peerId: string
  seq: number
  expiresAtMs: number
  agents: { agentId: string; card: AgentCard }[]
}

/**
 * The federated index: what each peer announced last, until its announcement expires. A newer
 * announcement replaces a peer's entry whole; an older or repeated one changes nothing.
 */
export class FederatedIndex {
  readonly #peers = new Map<string, PeerEntry>()

  /** Keeps a verified announcement; answers whether it was news. */
  put(peerDid: string, peerId: string, verified: VerifiedAnnouncement, nowMs: number): boolean {
    const { announcement, agents } = verified
    const known = this.#peers.get(peerDid)
    if (known && known.expiresAtMs > nowMs && known.seq >= announcement.seq) return false
    this.#peers.set(peerDid, {
      peerId,
      seq: announcement.seq,
      expiresAtMs: Math.min(announcement.issuedAtMs, nowMs) + announcement.ttlMs,
      agents,
    })
    return true
  }

  /** Drops a peer's entry (a peer disconnected for cause). */
  remove(peerDid: string): void {
    this.#peers.delete(peerDid)
  }

  /** Forgets what expired. */
  prune(nowMs: number): void {
    for (const [did, entry] of this.#peers) if (entry.expiresAtMs <= nowMs) this.#peers.delete(did)
  }

  peerIdOf(peerDid: string): string | undefined {
    return this.#peers.get(peerDid)?.peerId
  }

  /** How many capabilities a peer has in the index now. */
  capabilityCount(peerDid: string, nowMs: number): number {
    const entry = this.#peers.get(peerDid)
    if (!entry || entry.expiresAtMs <= nowMs) return 0
    return entry.agents.reduce((n, a) => n + a.card.capabilities.length, 0)
  }

  /** Every fresh offer, optionally of one capability. */
  offers(nowMs: number, capabilityId?: string): RemoteOffer[] {
    const offers: RemoteOffer[] = []
    for (const [peerDid, entry] of this.#peers) {
      if (entry.expiresAtMs <= nowMs) continue
      for (const { agentId, card } of entry.agents) {
        for (const capability of card.capabilities) {
          if (capabilityId !== undefined && capability.id !== capabilityId) continue
          offers.push({ peerDid, peerId: entry.peerId, agentId, agentName: card.name, capability })
        }
      }
    }
    return offers
  }
}
