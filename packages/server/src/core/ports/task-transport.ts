/** One attempt of a task as sent to a provider. */
export interface Dispatch {
  taskId: string
  attempt: number
  capabilityId: string
  input: unknown
  deadlineAtMs: number
  /** How deep in a chain of agent-to-agent calls this task is (0 for a client's task). */
  depth: number
  /** The most the provider may spend on calls it makes for this task. */
  budgetMicros: bigint
  currency: string
}

/** What a provider reports while it works. */
export type DispatchEvent =
  | { type: 'accepted' }
  | { type: 'progress'; progress?: number; message?: string }
  | InputRequestEvent

/**
 * The provider asks the requester for more input; `respond` hands it the answer with the
 * attempt's new deadline (the attempt's clock stops while it waits).
 */
export interface InputRequestEvent {
  type: 'input_request'
  prompt: string
  schema?: Record<string, unknown>
  /** How long the agent waits for the answer; the node caps it. */
  timeoutMs?: number
  respond(input: unknown, deadlineAtMs: number): void
}

/** Carries a task to a provider (WebSocket for SDK agents) and its answer back. */
export interface TaskTransport {
  /**
   * Sends one attempt. Resolves with the output (and units, for per-unit pricing) or rejects with
   * a MeshError: TIMEOUT, PROVIDER_UNAVAILABLE-like codes are retryable. Aborting `signal` cancels
   * the attempt at the provider.
   */
  dispatch(
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown; units?: number }>
}
