/**
 * The frames agents and nodes exchange over `GET /v1/agents/connect`, one JSON object per WebSocket
 * message with a discriminating `type`: TypeScript types for both directions and the JSON Schemas
 * (`const` objects, valid as draft-07 and 2020-12) a receiver checks them with. The schemas assume a
 * validator that refuses non-finite numbers (Ajv's `strictNumbers`): `1e400` parses to Infinity,
 * which JSON Schema alone cannot tell from a number.
 */
import type { WireError } from './errors.js'
import type { Money } from './money.js'
import {
  amountSchema,
  capabilityIdSchema,
  currencySchema,
  didSchema,
  moneySchema,
} from './schemas.js'

// Agent → node

/** Opens a connection: the agent's DID and how many tasks it takes at once. */
export interface HelloFrame {
  type: 'hello'
  did: string
  concurrency?: number
}

/** The agent's signature of the node's challenge (base64url Ed25519). */
export interface AuthFrame {
  type: 'auth'
  signature: string
}

/** Keeps the agent marked online. */
export interface HeartbeatFrame {
  type: 'heartbeat'
}

/** The agent took an attempt (`accepted`) or reports how far it got (`progress`, 0 to 1). */
export interface ProgressFrame {
  type: 'accepted' | 'progress'
  taskId: string
  attempt: number
  progress?: number
  message?: string
}

/** An attempt's output, with the units used for a `per_unit` capability. */
export interface ResultFrame {
  type: 'result'
  taskId: string
  attempt: number
  output: unknown
  units?: number
}

/** An attempt's failure, as the agent reports it. */
export interface TaskErrorFrame {
  type: 'error'
  taskId: string
  attempt: number
  error: { code?: string; message?: string }
}

/** An offer for an intent: the contract terms as a compact JWS the agent signed. */
export interface OfferFrame {
  type: 'offer'
  intentId: string
  terms: string
}

/**
 * The agent asks the requester for more input mid-task: the task waits in `input_required` until
 * the requester answers (the node checks the answer against `schema`) or the input timeout ends it.
 */
export interface InputRequestFrame {
  type: 'input_request'
  taskId: string
  attempt: number
  prompt: string
  /** The JSON Schema the answer must match; none: any JSON. */
  schema?: Record<string, unknown>
  /** How long to wait for the answer (the node caps it at its own input timeout). */
  timeoutMs?: number
}

/** Every frame an agent sends a node. */
export type AgentToNodeFrame =
  | InputRequestFrame
  | HelloFrame
  | AuthFrame
  | HeartbeatFrame
  | ProgressFrame
  | ResultFrame
  | TaskErrorFrame
  | OfferFrame

/** The most units a result may report: a count JSON numbers hold exactly. */
export const MAX_FRAME_UNITS = Number.MAX_SAFE_INTEGER

const idField = { type: 'string', minLength: 1, maxLength: 200 } as const
const attemptField = { type: 'integer', minimum: 0 } as const

const progressFrameSchema = <T extends 'accepted' | 'progress'>(type: T) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['type', 'taskId', 'attempt'],
    properties: {
      type: { const: type },
      taskId: idField,
      attempt: attemptField,
      progress: { type: 'number', minimum: 0, maximum: 1 },
      message: { type: 'string', maxLength: 1000 },
    },
  }) as const

/** The schema of each frame an agent may send, by `type`; a node refuses any other type. */
export const agentFrameSchemas = {
  hello: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'did'],
    properties: {
      type: { const: 'hello' },
      did: didSchema,
      concurrency: { type: 'integer', minimum: 1, maximum: 1024 },
    },
  },
  auth: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'signature'],
    properties: { type: { const: 'auth' }, signature: { type: 'string', maxLength: 256 } },
  },
  heartbeat: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'heartbeat' } },
  },
  accepted: progressFrameSchema('accepted'),
  progress: progressFrameSchema('progress'),
  result: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'taskId', 'attempt', 'output'],
    properties: {
      type: { const: 'result' },
      taskId: idField,
      attempt: attemptField,
      output: {},
      units: { type: 'number', minimum: 0, maximum: MAX_FRAME_UNITS },
    },
  },
  input_request: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'taskId', 'attempt', 'prompt'],
    properties: {
      type: { const: 'input_request' },
      taskId: idField,
      attempt: attemptField,
      prompt: { type: 'string', minLength: 1, maxLength: 2000 },
      schema: { type: 'object' },
      timeoutMs: { type: 'integer', minimum: 1, maximum: 86_400_000 },
    },
  },
  offer: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'intentId', 'terms'],
    properties: {
      type: { const: 'offer' },
      intentId: idField,
      terms: { type: 'string', maxLength: 8192 },
    },
  },
  error: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'taskId', 'attempt', 'error'],
    properties: {
      type: { const: 'error' },
      taskId: idField,
      attempt: attemptField,
      error: {
        type: 'object',
        properties: {
          code: { type: 'string', maxLength: 64 },
          message: { type: 'string', maxLength: 2000 },
        },
      },
    },
  },
} as const satisfies Record<AgentToNodeFrame['type'], object>

// Node → agent

/** The node's challenge to a `hello`: sign `authChallengeBytes(node, nonce)`. */
export interface ChallengeFrame {
  type: 'challenge'
  nonce: string
  node: string
}

/** The agent is signed in: its DID and a session token for HTTP calls. */
export interface ReadyFrame {
  type: 'ready'
  did: string
  token: string
}

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

/** Stops an attempt: it was canceled or timed out. */
export interface CancelFrame {
  type: 'cancel'
  taskId: string
  attempt: number
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

/** A refused frame or sign-in (the node then closes), or a refused offer (the socket stays). */
export interface NodeErrorFrame {
  type: 'error'
  error: WireError
}

/**
 * The node is shutting down (a cluster node drained by SIGTERM): it sends no new tasks, finishes
 * or hands over what runs, and the agent should reconnect to one of `reconnectTo` (other nodes of
 * the cluster, possibly none) now rather than when the socket closes.
 */
export interface DrainingFrame {
  type: 'draining'
  reconnectTo: string[]
}

/** The requester's answer to an `input_request`, with the attempt's new deadline (ISO 8601). */
export interface InputFrame {
  type: 'input'
  taskId: string
  attempt: number
  input: unknown
  deadline: string
}

/** Every frame a node sends an agent over `GET /v1/agents/connect`. */
export type NodeToAgentFrame =
  | InputFrame
  | ChallengeFrame
  | ReadyFrame
  | TaskFrame
  | CancelFrame
  | IntentFrame
  | NodeErrorFrame
  | DrainingFrame

const stringField = { type: 'string', minLength: 1 } as const

/** The schema of each frame a node may send, by `type`. */
export const nodeFrameSchemas = {
  challenge: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'nonce', 'node'],
    properties: { type: { const: 'challenge' }, nonce: stringField, node: didSchema },
  },
  ready: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'did', 'token'],
    properties: { type: { const: 'ready' }, did: didSchema, token: stringField },
  },
  task: {
    type: 'object',
    additionalProperties: false,
    required: [
      'type',
      'taskId',
      'attempt',
      'capabilityId',
      'input',
      'deadline',
      'depth',
      'budget',
      'currency',
    ],
    properties: {
      type: { const: 'task' },
      taskId: idField,
      attempt: attemptField,
      capabilityId: capabilityIdSchema,
      input: {},
      deadline: stringField,
      depth: { type: 'integer', minimum: 0 },
      budget: amountSchema,
      currency: currencySchema,
    },
  },
  cancel: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'taskId', 'attempt'],
    properties: { type: { const: 'cancel' }, taskId: idField, attempt: attemptField },
  },
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'taskId', 'attempt', 'input', 'deadline'],
    properties: {
      type: { const: 'input' },
      taskId: idField,
      attempt: attemptField,
      input: {},
      deadline: stringField,
    },
  },
  intent: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'intentId', 'requester', 'capabilityId', 'input', 'maxPrice', 'closesAt'],
    properties: {
      type: { const: 'intent' },
      intentId: idField,
      requester: didSchema,
      capabilityId: capabilityIdSchema,
      input: {},
      maxPrice: moneySchema,
      closesAt: stringField,
    },
  },
  error: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'error'],
    properties: {
      type: { const: 'error' },
      error: {
        type: 'object',
        required: ['code', 'message', 'retryable'],
        properties: {
          code: { type: 'string' },
          message: { type: 'string' },
          retryable: { type: 'boolean' },
          details: { type: 'object' },
        },
      },
    },
  },
  draining: {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'reconnectTo'],
    properties: {
      type: { const: 'draining' },
      reconnectTo: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 2048 } },
    },
  },
} as const satisfies Record<NodeToAgentFrame['type'], object>
