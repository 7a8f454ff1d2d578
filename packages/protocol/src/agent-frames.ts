import type { WireError } from './errors.js'
import type { Money } from './money.js'

/** One attempt of a task, sent to the agent that is to run it. */
export interface TaskFrame {
  type: 'task'
  taskId: string
  attempt: number
  capabilityId: string
  input: unknown
  /** ISO 8601: when this attempt times out. */
  deadline: string
  /** How deep the task is in a chain of agent-to-agent calls. */
  depth: number
  /** The most calls made for this task may spend, a decimal in `currency`. */
  budget: string
  currency: string
}

/** A request for an offer on an intent. */
export interface IntentFrame {
  type: 'intent'
  intentId: string
  requester: string
  capabilityId: string
  input: unknown
  maxPrice: Money
  closesAt: string
}

/** Every frame a node sends an agent over `GET /v1/agents/connect`. */
export type NodeToAgentFrame =
  | { type: 'challenge'; nonce: string; node: string }
  | { type: 'ready'; did: string; token: string }
  | TaskFrame
  | { type: 'cancel'; taskId: string; attempt: number }
  | IntentFrame
  | { type: 'error'; error: WireError }
