import type { HostedLogStore, LogLine } from './hosted-log-store.js'

const MAX_LINE_CHARS = 2000
/** Lines waiting for the store at most; past it the oldest waiting are dropped. */
const MAX_PENDING = 5000

/**
 * Hosted agents' logs, kept in the store (so they survive a restart), the newest `capacity` lines
 * per agent. Logging never waits for the store: lines queue and are written in batches, one
 * write at a time (what arrives during a write goes in the next). Reads wait for the lines
 * logged before them.
 */
export class HostedLogs {
  readonly capacity: number
  readonly #store: HostedLogStore
  readonly #onError: (error: unknown) => void
  #pending: (LogLine & { agentId: string })[] = []
  #writing: Promise<void> = Promise.resolve()
  #queued = false

  constructor(store: HostedLogStore, capacity: number, onError: (error: unknown) => void) {
    this.#store = store
    this.capacity = capacity
    this.#onError = onError
  }

  add(agentId: string, line: LogLine): void {
    this.#pending.push({ ...line, agentId, message: line.message.slice(0, MAX_LINE_CHARS) })
    if (this.#pending.length > MAX_PENDING) {
      this.#pending.splice(0, this.#pending.length - MAX_PENDING)
    }
    if (this.#queued) return
    this.#queued = true
    this.#writing = this.#writing.then(() => this.#write())
  }

  /** The agent's kept lines, oldest first, at most `limit` of the newest. */
  async lines(agentId: string, limit = this.capacity): Promise<LogLine[]> {
    await this.flush()
    return this.#store.lines(agentId, Math.min(limit, this.capacity))
  }

  async forget(agentId: string): Promise<void> {
    this.#pending = this.#pending.filter((l) => l.agentId !== agentId)
    await this.flush()
    await this.#store.forget(agentId)
  }

  /** Resolves once every line logged so far is written (or its write failed). */
  flush(): Promise<void> {
    return this.#writing
  }

  async #write(): Promise<void> {
    this.#queued = false
    const batch = this.#pending
    this.#pending = []
    if (batch.length > 0) await this.#store.append(batch, this.capacity).catch(this.#onError)
  }
}
