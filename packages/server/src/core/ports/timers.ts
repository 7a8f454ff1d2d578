/** Timers, behind a port so tests can drive deadlines and backoff. */
export interface Timers {
  /** Calls `fn` after `ms`; the returned function cancels it. */
  setTimeout(fn: () => void, ms: number): () => void
}
