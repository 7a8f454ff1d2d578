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
  { type: 'accepted' } | { type: 'progress'; progress?: number; message?: string }

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
