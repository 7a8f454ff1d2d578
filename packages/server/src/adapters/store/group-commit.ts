import type { Batcher } from '../../core/ports/batcher.js'

interface Waiting<I, R> {
  items: I[]
  resolve(results: R[]): void
  reject(error: unknown): void
}

/**
 * Group commit: the first call starts a window of `windowMs`; every call that arrives before it
 * closes (or while the previous run is still committing) joins one run, so they share one
 * database transaction. Each caller is answered after that run, with its own results.
 */
export class GroupCommit implements Batcher {
  readonly #windowMs: number
  readonly #maxItems: number

  constructor(options: { windowMs: number; maxItems?: number }) {
    this.#windowMs = options.windowMs
    this.#maxItems = options.maxItems ?? 1000
  }

  wrap<I, R>(run: (items: I[]) => Promise<R[]>): (items: I[]) => Promise<R[]> {
    const queue: Waiting<I, R>[] = []
    let queued = 0
    let timer: ReturnType<typeof setTimeout> | undefined
    let running = false

    const flush = async (): Promise<void> => {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      if (running || queue.length === 0) return
      running = true
      const batch: Waiting<I, R>[] = []
      let size = 0
      while (
        queue.length > 0 &&
        (batch.length === 0 || size + queue[0]!.items.length <= this.#maxItems)
      ) {
        const next = queue.shift()!
        size += next.items.length
        batch.push(next)
      }
      queued -= size
      try {
        const results = await run(batch.flatMap((w) => w.items))
        if (results.length !== size)
          throw new Error(`A batch of ${size} answered ${results.length} results`)
        let offset = 0
        for (const waiting of batch) {
          waiting.resolve(results.slice(offset, offset + waiting.items.length))
          offset += waiting.items.length
        }
      } catch (error) {
        for (const waiting of batch) waiting.reject(error)
      } finally {
        running = false
        // Whatever arrived while this run committed has waited long enough.
        if (queue.length > 0) void flush()
      }
    }

    return (items) =>
      new Promise<R[]>((resolve, reject) => {
        queue.push({ items, resolve, reject })
        queued += items.length
        if (running) return
        if (queued >= this.#maxItems) void flush()
        else timer ??= setTimeout(() => void flush(), this.#windowMs)
      })
  }
}
