/** The task state machine of ARCHITECTURE.md, as the wire names it. */
export type TaskState =
  | 'pending'
  | 'assigned'
  | 'running'
  | 'retrying'
  | 'verifying'
  /** The provider asked the requester for more input and waits for the answer. */
  | 'input_required'
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
