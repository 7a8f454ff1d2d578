/** One question an agent asked its requester, and the answer once given. */
export interface InputTurn {
  prompt: string
  schema?: Record<string, unknown>
  askedAtMs: number
  /** When the wait ends unanswered (the input timeout, or the task's deadline if sooner). */
  expiresAtMs: number
  answer?: unknown
  answeredAtMs?: number
}
