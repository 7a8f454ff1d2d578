import { terminalStates, type Money, type TaskState, type WireError } from '@agentmesh/protocol'

export type { TaskState }

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

/** Options of `mesh.submit` and `mesh.call`. */
export interface SubmitOptions {
  /** The most this call may cost, e.g. `"0.01"` (in `currency`, default USD). */
  maxPrice: string
  currency?: string
  /** Overall deadline. */
  timeoutMs?: number
  /** With `submit`: wait up to this long for the task to finish. */
  wait?: number
  /** Send only to this provider. */
  agentId?: string
  idempotencyKey?: string
  retry?: {
    initialIntervalMs?: number
    backoffCoefficient?: number
    maximumIntervalMs?: number
    maximumAttempts?: number
    nonRetryableErrorCodes?: string[]
  }
  verify?: { mode: 'quorum'; n: number; agree: number } | { mode: 'validator'; capability: string }
  parentTaskId?: string
  /** Run under a contract (its provider and price). */
  contractId?: string
  /** For `per_unit` capabilities: the most units paid for; the task reserves `maxPrice` × this. */
  maxUnits?: number
  /**
   * A quality bonus set aside with the task, e.g. `"0.001"`: rating the task 5 stars within the
   * bonus window pays all of it to the provider, 4 stars half; otherwise it comes back.
   */
  bonus?: string
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

/** The states a task does not leave. */
export const finalStates = terminalStates

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

/** What `Mesh.pipelineRuns` asks for: a page size (1–100, default 20), a state, a cursor. */
export interface PipelineRunListOptions {
  limit?: number
  state?: PipelineRunView['state']
  /** The `nextCursor` of the previous page. */
  cursor?: string
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
  maxPrice: Money
  closesAt: string
  acceptedOfferId: string | null
  offers: {
    id: string
    provider: string
    price: Money
    validUntil: string
    terms: ContractTermsView
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
}
