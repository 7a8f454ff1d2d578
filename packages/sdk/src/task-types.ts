import { terminalStates, type PipelineRunView } from '@agentmesh/protocol'

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
  /**
   * Check the output beyond its schema: a quorum of providers agreeing, a validator capability,
   * or an oracle — `n` sources whose answers (at `field`, a JSON pointer; default the whole
   * output) are aggregated by weighted median (numbers) or majority (labels), weights from their
   * oracle reputation; those within `tolerance` (median: a share of the answer, default 0.01) are
   * paid. `maxPrice` must cover every paid provider.
   */
  verify?:
    | { mode: 'quorum'; n: number; agree: number }
    | { mode: 'validator'; capability: string }
    | {
        mode: 'oracle'
        n: number
        aggregate: 'median' | 'majority'
        tolerance?: number
        field?: string
      }
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
  /**
   * Where the node POSTs each state change of the task, signed with `secret` (HMAC-SHA256 in the
   * `X-AgentMesh-Signature` header; at least 16 characters). See the README for how to verify.
   */
  webhook?: { url: string; secret: string }
}

/** The states a task does not leave. */
export const finalStates = terminalStates

/** What `Mesh.pipelineRuns` asks for: a page size (1–100, default 20), a state, a cursor. */
export interface PipelineRunListOptions {
  limit?: number
  state?: PipelineRunView['state']
  /** The `nextCursor` of the previous page. */
  cursor?: string
}
