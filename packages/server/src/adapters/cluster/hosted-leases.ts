import type { Clock } from '../../core/ports/clock.js'
import type { HostedPlacement } from '../../core/ports/hosted-placement.js'
import type { HostedLeaseStore } from '../store/hosted-lease-store.js'

/**
 * A cluster node's hosted-agent placement: it serves an agent while it holds the agent's lease
 * (PostgreSQL, with a fencing epoch). The cluster module renews the leases (an agent whose lease
 * another node took, or that was stopped elsewhere, stops being served here) and takes the
 * agents whose lease lapsed; a draining node lets its leases go at once.
 */
export class HostedLeases implements HostedPlacement {
  readonly #store: HostedLeaseStore
  readonly #owner: string
  readonly #clock: Clock
  readonly #leaseMs: number
  readonly #held = new Map<string, number>()

  constructor(store: HostedLeaseStore, deps: { owner: string; clock: Clock; leaseMs: number }) {
    this.#store = store
    this.#owner = deps.owner
    this.#clock = deps.clock
    this.#leaseMs = deps.leaseMs
  }

  async claim(agentId: string): Promise<boolean> {
    const now = this.#clock.now()
    const epoch = await this.#store.take(agentId, this.#owner, now, now + this.#leaseMs)
    if (epoch === undefined) return false
    this.#held.set(agentId, epoch)
    return true
  }

  async claimUnserved(limit: number): Promise<string[]> {
    const now = this.#clock.now()
    const taken = await this.#store.claim(this.#owner, now, now + this.#leaseMs, limit)
    for (const { agentId, epoch } of taken) this.#held.set(agentId, epoch)
    return taken.map((t) => t.agentId)
  }

  async release(agentId: string): Promise<void> {
    this.#held.delete(agentId)
    await this.#store.remove(agentId)
  }

  /** Extends this node's leases; answers the agents it no longer holds, to stop serving. */
  async renew(): Promise<string[]> {
    const held = [...this.#held].map(([agentId, epoch]) => ({ agentId, epoch }))
    const kept = new Set(
      await this.#store.renew(this.#owner, held, this.#clock.now() + this.#leaseMs),
    )
    const lost = held.filter((h) => !kept.has(h.agentId) && this.#held.get(h.agentId) === h.epoch)
    for (const { agentId } of lost) this.#held.delete(agentId)
    return lost.map((h) => h.agentId)
  }

  /** Lets every lease of this node lapse now (draining): the other nodes take the agents. */
  async releaseAll(): Promise<number> {
    this.#held.clear()
    return this.#store.release(this.#owner)
  }
}
