/** One periodic job; `stop()` keeps it from running again (a run under way finishes). */
export interface ScheduledJob {
  stop(): void
}

/**
 * Periodic work of the node (expiring transfers, signing the audit head, sweeping presence…),
 * behind a port so a test runs the jobs when it says so instead of waiting for timers. A job never
 * overlaps itself: a run still going when the next is due skips that turn. A run that throws or
 * rejects is logged and the job keeps its schedule.
 */
export interface Scheduler {
  /** Runs `fn` every `intervalMs`, first one interval from now; `name` names it in logs. */
  every(name: string, intervalMs: number, fn: () => void | Promise<void>): ScheduledJob
  /** Stops every job; runs under way finish, none starts again. */
  stop(): void
}
