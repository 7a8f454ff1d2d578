import type { Capability, TaskState, WireError } from '@agentmesh/protocol'

export { isTerminal, terminalStates, type TaskState } from '@agentmesh/protocol'

/** Settlement has its own states. */
export type SettlementState = 'reserved' | 'posted' | 'voided' | 'refunded'

/** Retry options, with Temporal's names. */
export interface RetryPolicy {
  initialIntervalMs: number
  backoffCoefficient: number
  maximumIntervalMs: number
  /** Attempts per provider, the first included. */
  maximumAttempts: number
  nonRetryableErrorCodes: string[]
}

/** How the output is checked beyond its schema. */
export type VerifyPolicy =
  { mode: 'quorum'; n: number; agree: number } | { mode: 'validator'; capability: string }

/** One attempt of a task on one provider. */
export interface Attempt {
  n: number
  agentId: string
  startedAtMs: number
  endedAtMs: number | null
  outcome: 'completed' | 'error' | 'timeout' | 'disconnected' | 'canceled' | 'invalid_output' | null
  error: WireError | null
}

export interface TaskTransition {
  state: TaskState
  atMs: number
  agentId?: string
  attempt?: number
  message?: string
}

/** A task as stored and as read over the API. */
export interface Task {
  id: string
  requester: string
  capabilityId: string
  /** The provider asked for by name, when the requester named one. */
  agentId: string | null
  input: unknown
  /** SHA-256 of the canonical JSON of what was submitted, for idempotency. */
  requestHash: string
  idempotencyKey: string | null
  maxPriceMicros: bigint
  currency: string
  timeoutMs: number
  retry: RetryPolicy
  verify: VerifyPolicy | null
  parentTaskId: string | null
  depth: number
  state: TaskState
  providerId: string | null
  output: unknown
  error: WireError | null
  attempts: Attempt[]
  history: TaskTransition[]
  settlement: { state: SettlementState; paidMicros: bigint; payee: string | null }
  createdAtMs: number
  updatedAtMs: number
  deadlineAtMs: number
  /** The W3C trace id of the task's spans; absent when the node does not trace (or on older tasks). */
  traceId?: string
  /** The span the task's later spans (dispatch, settle) hang from: its submit span. */
  traceSpanId?: string
}

/** A provider chosen for a task, with the capability it offers (schemas, pricing, SLA). */
export interface Candidate {
  agentId: string
  agentName: string
  capability: Capability
  score: number
}
