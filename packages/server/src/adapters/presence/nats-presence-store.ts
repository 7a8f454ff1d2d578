import type { KV, KvWatchEntry } from '@nats-io/kv'
import type { QueuedIterator } from '@nats-io/transport-node'
import type { Logger } from '../../core/ports/logger.js'
import type { PresenceEntry, PresenceStore } from '../../core/ports/presence-store.js'

const encode = (agentId: string) => Buffer.from(agentId).toString('base64url')
const decode = (key: string) => Buffer.from(key, 'base64url').toString()
const copy = (entry: PresenceEntry): PresenceEntry => ({ ...entry })
const seen = (entry: PresenceEntry | undefined) => entry?.lastSeenMs ?? -Infinity

/**
 * Presence shared by a cluster in a NATS KV bucket, one key per agent and node
 * (`AGENT.NODE`). The port is synchronous, so the store keeps a local view: this node's own
 * entries (agents connected here), written through to the bucket, and the other nodes' entries,
 * fed by a watcher. Another node's agent counts by its last heartbeat only (never by a
 * connection, which that node alone can see close), and not at all once its node is gone: on
 * NATS 2.9 an expired key sends watchers nothing, so a node that dies is noticed by its missing
 * node heartbeats, and `Presence.sweep` turns the stale entries offline.
 */
export class NatsPresenceStore implements PresenceStore {
  readonly #kv: KV
  readonly #nodeId: string
  readonly #alive: (nodeId: string) => boolean
  readonly #logger: Logger
  readonly #local = new Map<string, PresenceEntry>()
  readonly #remote = new Map<string, Map<string, PresenceEntry>>()
  /** What this node announced of other nodes' agents (the flag is each node's own). */
  readonly #announced = new Map<string, boolean>()
  #watcher: QueuedIterator<KvWatchEntry> | undefined

  constructor(kv: KV, nodeId: string, alive: (nodeId: string) => boolean, logger: Logger) {
    this.#kv = kv
    this.#nodeId = nodeId
    this.#alive = alive
    this.#logger = logger
  }

  /** Starts following the other nodes' entries (their current values first). */
  async start(): Promise<void> {
    const watcher = await this.#kv.watch({ key: '>' })
    this.#watcher = watcher
    void (async () => {
      for await (const entry of watcher) this.#heard(entry)
    })().catch((error: unknown) => this.#logger.warn({ err: error }, 'presence watcher ended'))
  }

  stop(): void {
    this.#watcher?.stop()
  }

  get(agentId: string): PresenceEntry | undefined {
    const local = this.#local.get(agentId)
    if (local && this.#servedHere(agentId, local)) return copy(local)
    const remote = this.#freshest(agentId)
    if (!remote) return undefined
    const announced = this.#announced.get(agentId) ?? remote[1].announcedOnline
    return { ...remote[1], connections: 0, announcedOnline: announced }
  }

  set(agentId: string, entry: PresenceEntry): void {
    const local = this.#local.get(agentId)
    // Kept here: agents connected here, and heartbeats heard here (an agent online over HTTP
    // only) while they are fresher than what other nodes heard of the agent.
    const heardHere = entry.lastSeenMs !== null && entry.lastSeenMs > seen(this.get(agentId))
    if (entry.connections > 0 || heardHere || (local && this.#servedHere(agentId, local))) {
      this.#local.set(agentId, copy(entry))
      this.#put(agentId, entry)
      return
    }
    if (local) this.delete(agentId)
    this.#announced.set(agentId, entry.announcedOnline)
  }

  delete(agentId: string): void {
    this.#announced.delete(agentId)
    if (!this.#local.delete(agentId)) return
    this.#kv.delete(`${encode(agentId)}.${this.#nodeId}`).catch((error: unknown) => {
      this.#logger.warn({ err: error, agentId }, 'presence delete failed')
    })
  }

  *entries(): Iterable<[string, PresenceEntry]> {
    const ids = new Set([...this.#local.keys(), ...this.#remote.keys()])
    for (const agentId of ids) {
      const entry = this.get(agentId)
      if (entry) yield [agentId, entry]
    }
  }

  /** The node another agent is connected to (its freshest heartbeat), if any node is up with it. */
  nodeOf(agentId: string): string | undefined {
    return this.#freshest(agentId)?.[0]
  }

  /** This node's connected agents and their tasks in flight. */
  localAgents(): { agentId: string; inFlight: number }[] {
    return [...this.#local]
      .filter(([, e]) => e.connections > 0)
      .map(([agentId, e]) => ({ agentId, inFlight: e.inFlight }))
  }

  /** The agents connected to another node, as last heard. */
  agentsOf(nodeId: string): string[] {
    return [...this.#remote]
      .filter(([, byNode]) => byNode.get(nodeId)?.lastSeenMs != null)
      .map(([agentId]) => agentId)
  }

  /** A heartbeat for every agent connected here, so the other nodes keep them online. */
  refresh(nowMs: number): void {
    for (const [agentId, entry] of this.#local) {
      if (entry.connections === 0) continue
      entry.lastSeenMs = nowMs
      this.#put(agentId, entry)
    }
  }

  #put(agentId: string, entry: PresenceEntry): void {
    const value = JSON.stringify(entry)
    this.#kv.put(`${encode(agentId)}.${this.#nodeId}`, value).catch((error: unknown) => {
      this.#logger.warn({ err: error, agentId }, 'presence write failed')
    })
  }

  /** Whether this node's entry is the one to go by: a connection here, or the freshest heartbeat. */
  #servedHere(agentId: string, local: PresenceEntry): boolean {
    const remote = this.#freshest(agentId)
    return local.connections > 0 || !remote || seen(local) >= seen(remote[1])
  }

  #freshest(agentId: string): [string, PresenceEntry] | undefined {
    let best: [string, PresenceEntry] | undefined
    for (const [nodeId, entry] of this.#remote.get(agentId) ?? []) {
      if (entry.lastSeenMs === null || !this.#alive(nodeId)) continue
      if (!best || entry.lastSeenMs > (best[1].lastSeenMs ?? 0)) best = [nodeId, entry]
    }
    return best
  }

  #heard(entry: KvWatchEntry): void {
    const dot = entry.key.lastIndexOf('.')
    const agentId = decode(entry.key.slice(0, dot))
    const nodeId = entry.key.slice(dot + 1)
    if (nodeId === this.#nodeId) return
    const byNode = this.#remote.get(agentId) ?? new Map<string, PresenceEntry>()
    if (entry.operation !== 'PUT') byNode.delete(nodeId)
    else {
      try {
        byNode.set(nodeId, entry.json<PresenceEntry>())
      } catch {
        return
      }
    }
    if (byNode.size === 0) this.#remote.delete(agentId)
    else this.#remote.set(agentId, byNode)
  }
}
