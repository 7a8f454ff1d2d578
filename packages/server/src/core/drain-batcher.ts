import type { Batcher } from './ports/batcher.js'

interface Waiting<I, R> {
  items: I[]
  resolve(results: R[]): void
  reject(error: unknown): void
}

/**
 * The `Batcher` port without a window: the first call runs at once, and the calls that arrive
 * while a run is in flight go together in the next run, in call order, up to `maxItems` items. It
 * batches only under load and never waits for company. Each caller gets its own items' results,
 * or the error of the run its items were in.
 */
export class DrainBatcher implements Batcher {
  readonly #maxItems: number

  constructor(maxItems = 500) {
    this.#maxItems = maxItems
  }

  wrap<I, R>(run: (items: I[]) => Promise<R[]>): (items: I[]) => Promise<R[]> {
    const queue: Waiting<I, R>[] = []
    let running = false

    const drain = async (): Promise<void> => {
      running = true
      try {
        while (queue.length > 0) {
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
          }
        }
      } finally {
        running = false
      }
    }

    return (items) =>
      new Promise<R[]>((resolve, reject) => {
        queue.push({ items, resolve, reject })
        if (!running) void drain()
      })
  }
}
