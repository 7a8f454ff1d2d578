import { canonicalBytes } from './canonical-json.js'
import { fromBase64url, toBase64url } from './encoding.js'
import { MeshError } from './errors.js'
import { signBytes, verifyBytes, type KeyPair } from './identity.js'

/** A fact as its agent states it: `(subject, relation, object)` with a confidence from 0 to 1. */
export interface Fact {
  subject: string
  relation: string
  object: string
  confidence: number
}

/**
 * A fact signed by the agent that asserts it: `signature` is base64url Ed25519 by `agent` over the
 * canonical JSON of `{type: "agentmesh/fact/v1", agent, subject, relation, object, confidence}`
 * plus `taskId` when the fact comes from a task (it then belongs to that task alone).
 */
export interface FactAssertion extends Fact {
  agent: string
  taskId?: string
  signature: string
}

/** Keeps a fact's signature from ever being read as another kind of signed statement. */
export const FACT_TYPE = 'agentmesh/fact/v1'

/** Most facts one request (or one task's output) asserts. */
export const MAX_FACTS_PER_ASSERTION = 100

const term = { type: 'string', minLength: 1, maxLength: 256 } as const

/** The JSON Schema of a signed fact, with limits: what the node checks before it reads one. */
export const factAssertionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'relation', 'object', 'confidence', 'agent', 'signature'],
  properties: {
    subject: term,
    relation: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' },
    object: term,
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    agent: { type: 'string', minLength: 1, maxLength: 256 },
    taskId: { type: 'string', minLength: 1, maxLength: 128 },
    signature: { type: 'string', pattern: '^[A-Za-z0-9_-]{86}$' },
  },
} as const

/** What the agent signs: the fact, who asserts it and the task it comes from, if any. */
export function factStatement(assertion: Omit<FactAssertion, 'signature'>): Uint8Array {
  const { agent, subject, relation, object, confidence, taskId } = assertion
  return canonicalBytes({
    type: FACT_TYPE,
    agent,
    subject,
    relation,
    object,
    confidence,
    ...(taskId === undefined ? {} : { taskId }),
  })
}

/** Signs `fact` as the key's agent, bound to `taskId` when given. */
export function signFact(fact: Fact, key: KeyPair, taskId?: string): FactAssertion {
  const { subject, relation, object, confidence } = fact
  const statement = { agent: key.did, subject, relation, object, confidence }
  const bound = taskId === undefined ? statement : { ...statement, taskId }
  return { ...bound, signature: toBase64url(signBytes(factStatement(bound), key)) }
}

/**
 * Verifies a fact's signature by its `agent`; throws `SIGNATURE_INVALID` naming the agent when it
 * is malformed, was made by another key or over other fields, or `agent` is no did:key.
 */
export function verifyFact(assertion: FactAssertion): void {
  let signature: Uint8Array
  try {
    signature = fromBase64url(assertion.signature)
  } catch (cause) {
    throw new MeshError('SIGNATURE_INVALID', 'Fact signature is not base64url', { cause })
  }
  if (!verifyBytes(signature, factStatement(assertion), assertion.agent)) {
    throw new MeshError(
      'SIGNATURE_INVALID',
      `Fact signature does not verify for "${assertion.agent}"`,
    )
  }
}
