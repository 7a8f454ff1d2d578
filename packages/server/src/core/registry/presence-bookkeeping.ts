import type { Clock } from '../ports/clock.js'
import type { Presence } from './presence.js'

/** Where an agent's comings and goings are recorded (its reputation's uptime). */
interface PresenceRecorder {
  recordPresence(agentId: string, online: boolean, atMs: number): Promise<void>
}

/**
 * What the node does when an agent's connections change: presence hears of it at once, and the
 * agent's uptime is recorded. The writes still in flight are kept, so a stopping node can wait
 * for them (`settled()`) before it closes the store.
 */
export class PresenceBookkeeping {
  readonly #presence: Presence
  readonly #recorder: PresenceRecorder
  readonly #clock: Clock
  readonly #writes = new Set<Promise<void>>()

  constructor(deps: { presence: Presence; recorder: PresenceRecorder; clock: Clock }) {
    this.#presence = deps.presence
    this.#recorder = deps.recorder
    this.#clock = deps.clock
  }

  connected(agentId: string): Promise<void> {
    this.#presence.connected(agentId)
    return this.#record(agentId, true)
  }

  disconnected(agentId: string): Promise<void> {
    this.#presence.disconnected(agentId)
    return this.#record(agentId, false)
  }

  heartbeat(agentId: string): void {
    this.#presence.heartbeat(agentId)
  }

  setLoad(agentId: string, inFlight: number): void {
    this.#presence.setLoad(agentId, inFlight)
  }

  /** Resolves once every uptime write started so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#writes])
  }

  #record(agentId: string, online: boolean): Promise<void> {
    const write = this.#recorder.recordPresence(agentId, online, this.#clock.now())
    this.#writes.add(write)
    void write.finally(() => this.#writes.delete(write)).catch(() => {})
    return write
  }
}
