/**
 * Group commit: wraps a batch operation so that calls arriving within a short window share one
 * run (one database transaction); each caller gets back the results of its own items.
 */
export interface Batcher {
  wrap<I, R>(run: (items: I[]) => Promise<R[]>): (items: I[]) => Promise<R[]>
}
