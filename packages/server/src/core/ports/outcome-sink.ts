/** How a task ended, as reputation (and metrics) consume it. */
export interface TaskOutcome {
  taskId: string
  agentId: string
  capabilityId: string
  requester: string
  result: 'completed' | 'failed' | 'timed_out' | 'canceled' | 'disputed'
  latencyMs: number
  paidMicros: bigint
  currency: string
  atMs: number
}

/** Receives task outcomes as domain events. */
export interface OutcomeSink {
  recordOutcome(outcome: TaskOutcome): Promise<void>
}
