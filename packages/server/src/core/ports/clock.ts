/** Wall-clock time in epoch milliseconds, behind a port so tests can drive it. */
export interface Clock {
  now(): number
}
