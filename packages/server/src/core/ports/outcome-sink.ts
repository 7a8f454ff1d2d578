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
  /** The length of a completed task's output as JSON, in characters (anomaly detection learns it). */
  outputLength?: number
  /** What the provider was paid for its call, when the task paid one provider only. */
  priceMicros?: bigint
}

/** Receives task outcomes as domain events. */
export interface OutcomeSink {
  recordOutcome(outcome: TaskOutcome): Promise<void>
}
