import type { Timers } from './ports/timers.js'

/** The longest delay a timer takes (setTimeout's limit). */
const MAX_DELAY_MS = 2 ** 31 - 1

/**
 * Resolves with what `promise` resolves to, or with `undefined` once `ms` has passed (or if it
 * rejects); the timer is cleared either way.
 */
export async function within<T>(
  promise: Promise<T>,
  ms: number,
  timers: Timers,
): Promise<T | undefined> {
  let cancel = () => {}
  const timeout = new Promise<undefined>((resolve) => {
    cancel = timers.setTimeout(() => resolve(undefined), Math.min(ms, MAX_DELAY_MS))
  })
  try {
    return await Promise.race([promise.catch(() => undefined), timeout])
  } finally {
    cancel()
  }
}
