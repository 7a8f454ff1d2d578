/** The task state machine of ARCHITECTURE.md, as the wire names it. */
export type TaskState =
  | 'pending'
  | 'assigned'
  | 'running'
  | 'retrying'
  | 'verifying'
  | 'completed'
  | 'failed'
  | 'timed_out'
  | 'canceled'
  | 'disputed'

/** The states a task does not leave. */
export const terminalStates: readonly TaskState[] = [
  'completed',
  'failed',
  'timed_out',
  'canceled',
  'disputed',
]

/** Whether a task in `state` is finished. */
export function isTerminal(state: TaskState): boolean {
  return terminalStates.includes(state)
}
