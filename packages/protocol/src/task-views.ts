/**
 * Resources as the node answers them over HTTP (money as decimal strings, times as ISO 8601): the
 * one declaration the server builds them to and the SDK reads them as.
 */
import type { WireError } from './errors.js'
import type { Money } from './money.js'
import type { TaskState } from './task-states.js'

/** A task as the node reports it. */
export interface TaskView {
  id: string
  state: TaskState
  capability: string
  agentId: string | null
  providerId: string | null
  requester: string
  input: unknown
  output: unknown
  error: WireError | null
  maxPrice: Money
  /** For `per_unit` capabilities: the most units paid for (the task reserved maxPrice × maxUnits). */
  maxUnits: number
  /** The quality bonus set aside at submission, and what the rating made of it. */
  bonus: {
    amount: Money
    state: 'reserved' | 'paid' | 'released'
    paid: Money
    windowEndsAt: string
  } | null
  timeoutMs: number
  /** How attempts are retried (Temporal's names). */
  retry: {
    initialIntervalMs: number
    backoffCoefficient: number
    maximumIntervalMs: number
    maximumAttempts: number
    nonRetryableErrorCodes: string[]
  }
  /** How the output is checked beyond its schema, if at all. */
  verify:
    | { mode: 'quorum'; n: number; agree: number }
    | { mode: 'validator'; capability: string }
    | OracleVerify
    | null
  /** An oracle task's aggregate: the answer, and each source's answer, weight and pay. */
  oracle: OracleView | null
  createdAt: string
  updatedAt: string
  deadline: string
  attempts: {
    n: number
    agentId: string
    startedAt: string
    endedAt: string | null
    outcome: string | null
    error: WireError | null
  }[]
  history: {
    seq: number
    state: TaskState
    at: string
    agentId?: string
    attempt?: number
    message?: string
  }[]
  settlement: {
    state: 'reserved' | 'posted' | 'voided' | 'refunded'
    paid: Money
    payee: string | null
    /** Every provider paid (several for a quorum). */
    payees: string[]
    /** What a refund gave back. */
    refunded: Money
  }
  idempotencyKey: string | null
  parentTaskId: string | null
  depth: number
  /** The W3C trace id of the task's spans (OpenTelemetry), for finding it in a trace viewer. */
  traceId: string | null
}

/**
 * Oracle verification: `n` providers answer; the answer is read from each output at `field` (a
 * JSON pointer, the whole output when empty) and aggregated by a weighted median (numbers) or a
 * weighted majority (labels), the weights being the sources' oracle reputations. Sources within
 * `tolerance` of the answer (relative, for the median; the same label, for the majority) are paid.
 */
export interface OracleVerify {
  mode: 'oracle'
  n: number
  aggregate: 'median' | 'majority'
  /** For the median: how far from the answer a paid source may be, as a share of the answer. */
  tolerance: number
  /** A JSON pointer (RFC 6901) into the output; `""` (the default) is the whole output. */
  field: string
}

/** What an oracle task made of its sources' answers. */
export interface OracleView {
  /** The aggregate; `null` when the sources did not agree enough (the task is disputed). */
  answer: unknown
  sources: {
    agentId: string
    /** The value read at `field`; `null` when the source failed or gave no usable value. */
    answer: unknown
    /** Its weight in the aggregate, from its oracle reputation before this task. */
    weight: number
    /** How far it was from the answer (relative for the median; 0 or 1 for the majority). */
    deviation: number | null
    withinTolerance: boolean
    paid: Money
  }[]
}

/** A paid subscription period, as the node reports it. */
export interface SubscriptionView {
  agentId: string
  capabilityId: string
  price: Money
  period: 'day' | 'month'
  startsAt: string
  lapsesAt: string
  /** Whether the period is the current one (calls are free until `lapsesAt`). */
  active: boolean
  transferId: string
}

/** A pipeline run as the node reports it. */
export interface PipelineRunView {
  id: string
  name: string | null
  state: 'running' | 'completed' | 'failed'
  requester: string
  input: unknown
  budget: Money
  spent: Money
  steps: {
    id: string
    capability: string
    needs: string[]
    onFailure: 'stop' | 'continue' | 'skip'
    state: 'pending' | 'running' | 'completed' | 'failed' | 'skipped' | 'canceled'
    taskId: string | null
    output: unknown
    error: WireError | null
    startedAt: string | null
    endedAt: string | null
  }[]
  createdAt: string
  updatedAt: string
}

/** A page of pipeline runs, newest first; `nextCursor` is absent on the last page. */
export interface PipelineRunPage {
  results: PipelineRunView[]
  nextCursor?: string
}

/** The terms both sides of a contract sign. */
export interface ContractTermsView {
  contract: string
  intent: string
  requester: string
  provider: string
  capability: string
  price: Money
  validUntil: string
}

/** An intent with its offers. */
export interface IntentView {
  id: string
  state: 'open' | 'closed' | 'accepted'
  capability: string
  input: unknown
  maxPrice: Money
  createdAt: string
  closesAt: string
  acceptedOfferId: string | null
  offers: {
    id: string
    provider: string
    price: Money
    validUntil: string
    terms: ContractTermsView
    /** The provider's signature of `terms` (compact JWS). */
    providerSignature: string
  }[]
}

/** A contract: terms and both signatures (compact JWS). */
export interface ContractView {
  id: string
  state: 'active' | 'canceled'
  terms: ContractTermsView
  providerSignature: string
  requesterSignature: string
  createdAt: string
  canceledAt: string | null
}
