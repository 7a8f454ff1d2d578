import type { Capability, TaskState, WireError } from '@agentmesh/protocol'
import type { OraclePolicy } from '../oracles/oracle-aggregate.js'
import type { InputTurn } from './input-turn.js'

export { isTerminal, terminalStates, type TaskState } from '@agentmesh/protocol'

/** Settlement has its own states. */
export type SettlementState = 'reserved' | 'posted' | 'voided' | 'refunded'

/** What a task settled: its state, what it paid and to whom, and what a refund gave back. */
interface TaskSettlementRecord {
  state: SettlementState
  paidMicros: bigint
  /** The provider paid (a quorum: the first of `payees`). */
  payee: string | null
  /** Every provider paid, when a quorum paid several. */
  payees?: string[]
  /** What a refund gave back to the requester. */
  refundedMicros?: bigint
}

/**
 * A quality bonus the requester set aside at submission, reserved beside the task: a good rating
 * within the window pays (part of) it to the provider, otherwise it goes back.
 */
export interface TaskBonus {
  setAsideMicros: bigint
  state: 'reserved' | 'paid' | 'released'
  paidMicros: bigint
  /** When the reservation lapses and the bonus goes back unpaid. */
  windowEndsAtMs: number
}

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
  | { mode: 'quorum'; n: number; agree: number }
  | { mode: 'validator'; capability: string }
  | OraclePolicy

/** What an oracle task made of its sources (see `runOracle`). */
export interface OracleResult {
  /** The aggregate; `null` when the sources did not agree enough. */
  answer: unknown
  sources: {
    agentId: string
    /** The value read from its output; `null` when it failed or gave none usable. */
    answer: unknown
    weight: number
    deviation: number | null
    withinTolerance: boolean
    paidMicros: bigint
  }[]
}

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
  /** The conversation the task belongs to (A2A's `contextId`); absent: the task's own id. */
  contextId?: string
  input: unknown
  /** SHA-256 of the canonical JSON of what was submitted, for idempotency. */
  requestHash: string
  idempotencyKey: string | null
  maxPriceMicros: bigint
  /** For `per_unit` capabilities: the most units paid for (default 1). */
  maxUnits?: number
  /** What the task holds: `maxPriceMicros` times `maxUnits` (older tasks: `maxPriceMicros`). */
  reservedMicros?: bigint
  bonus?: TaskBonus | null
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
  settlement: TaskSettlementRecord
  createdAtMs: number
  updatedAtMs: number
  deadlineAtMs: number
  /** The W3C trace id of the task's spans; absent when the node does not trace (or on older tasks). */
  traceId?: string
  /** The span the task's later spans (dispatch, settle) hang from: its submit span. */
  traceSpanId?: string
  /** What the provider asked the requester mid-task, and the answers (multi-turn tasks). */
  inputTurns?: InputTurn[]
  /** An oracle task's aggregate and its sources' answers, once it has them. */
  oracle?: OracleResult
}

/** What the task holds in escrow for its call. */
export function reservedMicros(task: Task): bigint {
  return task.reservedMicros ?? task.maxPriceMicros
}

/** A provider chosen for a task, with the capability it offers (schemas, pricing, SLA). */
export interface Candidate {
  agentId: string
  agentName: string
  capability: Capability
  score: number
}

/** What a requester submits (already validated at the edge; money already parsed). */
export interface SubmitRequest {
  capability: string
  agentId?: string
  input: unknown
  maxPriceMicros: bigint
  currency: string
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  idempotencyKey?: string
  verify?: VerifyPolicy
  /** Set when an agent calls another capability on a task's behalf. */
  parentTaskId?: string
  /** Run under this contract: its provider, at its price. */
  contractId?: string
  /** For `per_unit` capabilities: the most units paid for; the task reserves `maxPrice` times it. */
  maxUnits?: number
  /** A quality bonus set aside for a good rating (see `TaskBonus`). */
  bonusMicros?: bigint
  /** The conversation the task joins (A2A's `contextId`); none: its own. */
  contextId?: string
}
