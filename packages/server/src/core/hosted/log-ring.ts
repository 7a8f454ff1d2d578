/** One line a hosted agent logged. */
export interface LogLine {
  atMs: number
  level: 'info' | 'warn' | 'error'
  message: string
}

const MAX_LINE_CHARS = 2000

/** The last `capacity` lines of each hosted agent's log, in memory (lost at a restart). */
export class LogRing {
  readonly #capacity: number
  readonly #lines = new Map<string, LogLine[]>()

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  add(agentId: string, line: LogLine): void {
    let lines = this.#lines.get(agentId)
    if (!lines) this.#lines.set(agentId, (lines = []))
    lines.push({ ...line, message: line.message.slice(0, MAX_LINE_CHARS) })
    if (lines.length > this.#capacity) lines.splice(0, lines.length - this.#capacity)
  }

  /** The agent's kept lines, oldest first, at most `limit` of the newest. */
  lines(agentId: string, limit = this.#capacity): LogLine[] {
    return (this.#lines.get(agentId) ?? []).slice(-limit)
  }

  forget(agentId: string): void {
    this.#lines.delete(agentId)
  }
}
