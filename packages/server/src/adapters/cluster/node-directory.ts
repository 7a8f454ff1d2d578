import type { KV, KvWatchEntry } from '@nats-io/kv'
import type { QueuedIterator } from '@nats-io/transport-node'
import type { Logger } from '../../core/ports/logger.js'

/** What a node tells the others of itself at each heartbeat. */
export interface NodeAnnouncement {
  id: string
  did: string
  url: string
  startedAtMs: number
  lastSeenMs: number
  state: 'up' | 'draining'
  agents: string[]
  inFlight: number
  capacity: number
}

/**
 * The nodes of the cluster, in a NATS KV bucket (one key per node), each rewritten at every
 * heartbeat and followed by a watcher. A node unheard of for `staleMs` is gone (on NATS 2.9 its
 * expired key sends no event, so this clock, not the bucket, decides).
 */
export class NodeDirectory {
  readonly #kv: KV
  readonly #selfId: string
  readonly #staleMs: number
  readonly #logger: Logger
  readonly #nodes = new Map<string, NodeAnnouncement>()
  #watcher: QueuedIterator<KvWatchEntry> | undefined

  constructor(kv: KV, options: { selfId: string; staleMs: number; logger: Logger }) {
    this.#kv = kv
    this.#selfId = options.selfId
    this.#staleMs = options.staleMs
    this.#logger = options.logger
  }

  async start(): Promise<void> {
    // Node ids are one token; `held.<id>` keys (see node-id-claim.ts) are not nodes.
    const watcher = await this.#kv.watch({ key: '*' })
    this.#watcher = watcher
    void (async () => {
      for await (const entry of watcher) {
        if (entry.operation !== 'PUT') this.#nodes.delete(entry.key)
        else this.#nodes.set(entry.key, entry.json<NodeAnnouncement>())
      }
    })().catch((error: unknown) => this.#logger.warn({ err: error }, 'node watcher ended'))
  }

  /** Tells the others this node is here (and how loaded it is). */
  async announce(self: NodeAnnouncement): Promise<void> {
    this.#nodes.set(self.id, self)
    await this.#kv.put(self.id, JSON.stringify(self))
  }

  /** Leaves the directory (a clean stop). */
  async leave(): Promise<void> {
    this.#watcher?.stop()
    await this.#kv.delete(this.#selfId).catch(() => {})
  }

  /** Whether a node has been heard of lately. */
  alive(nodeId: string, nowMs: number): boolean {
    if (nodeId === this.#selfId) return true
    const node = this.#nodes.get(nodeId)
    return node !== undefined && nowMs - node.lastSeenMs < this.#staleMs
  }

  /** Every node heard of, with whether it is gone. */
  all(nowMs: number): (NodeAnnouncement & { gone: boolean })[] {
    return [...this.#nodes.values()].map((n) => ({ ...n, gone: !this.alive(n.id, nowMs) }))
  }

  /** The URLs of the other nodes that are up, for agents to reconnect to. */
  otherUrls(nowMs: number): string[] {
    return this.all(nowMs)
      .filter((n) => n.id !== this.#selfId && !n.gone && n.state === 'up')
      .map((n) => n.url)
  }
}
