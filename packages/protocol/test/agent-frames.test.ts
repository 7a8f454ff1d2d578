import { Ajv, type ValidateFunction } from 'ajv'
import { describe, expect, it } from 'vitest'
import {
  agentFrameSchemas,
  generateKeyPair,
  MAX_FRAME_UNITS,
  nodeFrameSchemas,
  type AgentToNodeFrame,
  type NodeToAgentFrame,
} from '../src/index.js'

// As a node validates agent frames: no coercion, and no non-finite numbers.
const ajv = new Ajv({ strict: false, strictNumbers: true, coerceTypes: false })
const compile = (schemas: Record<string, object>) =>
  new Map(Object.entries(schemas).map(([type, schema]) => [type, ajv.compile(schema)]))
const agentValidators = compile(agentFrameSchemas)
const nodeValidators = compile(nodeFrameSchemas)

/** Whether `frame` is valid under the schema its `type` names; unknown types are refused. */
function accepts(validators: Map<string, ValidateFunction>, frame: unknown): boolean {
  const type = (frame as { type?: unknown }).type
  const validate = typeof type === 'string' ? validators.get(type) : undefined
  return validate !== undefined && validate(frame)
}

const did = generateKeyPair().did
const reply = { taskId: 'task_1', attempt: 1 }

const agentFrames: AgentToNodeFrame[] = [
  { type: 'hello', did, concurrency: 4 },
  { type: 'hello', did },
  { type: 'auth', signature: 'c2lnbmF0dXJl' },
  { type: 'heartbeat' },
  { type: 'accepted', ...reply },
  { type: 'progress', ...reply, progress: 0.5, message: 'half way' },
  { type: 'result', ...reply, output: { text: 'hi' } },
  { type: 'result', ...reply, output: null, units: 3 },
  { type: 'error', ...reply, error: { code: 'PROVIDER_ERROR', message: 'Handler failed' } },
  { type: 'offer', intentId: 'intent_1', terms: 'a.b.c' },
  { type: 'input_request', ...reply, prompt: 'Which language?' },
  {
    type: 'input_request',
    ...reply,
    prompt: 'Which language?',
    schema: { type: 'string' },
    timeoutMs: 5000,
  },
]

const nodeFrames: NodeToAgentFrame[] = [
  { type: 'challenge', nonce: 'bm9uY2U', node: did },
  { type: 'ready', did, token: 'token' },
  {
    type: 'task',
    ...reply,
    capabilityId: 'text.echo',
    input: { text: 'hi' },
    deadline: new Date(0).toISOString(),
    depth: 0,
    budget: '0.5',
    currency: 'USD',
  },
  { type: 'cancel', ...reply },
  {
    type: 'intent',
    intentId: 'intent_1',
    requester: did,
    capabilityId: 'text.echo',
    input: {},
    maxPrice: { amount: '0.01', currency: 'USD' },
    closesAt: new Date(0).toISOString(),
  },
  { type: 'error', error: { code: 'INVALID_INPUT', message: 'Bad frame', retryable: false } },
  { type: 'draining', reconnectTo: ['http://127.0.0.1:7421'] },
  { type: 'draining', reconnectTo: [] },
  { type: 'input', ...reply, input: { lang: 'fr' }, deadline: new Date(0).toISOString() },
]

describe('agent frames', () => {
  it('has a schema for every agent frame type, and each accepts its frame', () => {
    expect(new Set(agentFrames.map((f) => f.type))).toEqual(new Set(Object.keys(agentFrameSchemas)))
    for (const frame of agentFrames) expect(accepts(agentValidators, frame), frame.type).toBe(true)
  })

  it('has a schema for every node frame type, and each accepts its frame', () => {
    expect(new Set(nodeFrames.map((f) => f.type))).toEqual(new Set(Object.keys(nodeFrameSchemas)))
    for (const frame of nodeFrames) expect(accepts(nodeValidators, frame), frame.type).toBe(true)
  })

  it.each([
    ['a hello without a DID', { type: 'hello' }],
    ['a hello with a DID that is not one', { type: 'hello', did: 'did:web:example.com' }],
    ['a concurrency over 1024', { type: 'hello', did, concurrency: 1025 }],
    ['an unknown field', { type: 'heartbeat', extra: true }],
    ['a result without output', { type: 'result', ...reply }],
    ['a negative attempt', { type: 'accepted', taskId: 'task_1', attempt: -1 }],
    ['a fractional attempt', { type: 'accepted', taskId: 'task_1', attempt: 1.5 }],
    ['an empty task id', { type: 'accepted', taskId: '', attempt: 1 }],
    ['a progress over 1', { type: 'progress', ...reply, progress: 1.5 }],
    ['a number given as a string', { type: 'progress', ...reply, progress: '0.5' }],
    ['negative units', { type: 'result', ...reply, output: 1, units: -1 }],
    [
      'units past a safe integer',
      { type: 'result', ...reply, output: 1, units: MAX_FRAME_UNITS * 2 },
    ],
    ['offer terms over 8 KiB', { type: 'offer', intentId: 'i', terms: 'x'.repeat(8193) }],
    ['an error without its error', { type: 'error', ...reply }],
  ])('refuses %s', (_name, frame) => {
    expect(accepts(agentValidators, frame)).toBe(false)
  })

  it.each([
    ['Infinity units', { type: 'result', ...reply, output: 1, units: Infinity }],
    ['a NaN progress', { type: 'progress', ...reply, progress: NaN }],
    ['an infinite attempt', { type: 'cancel', taskId: 'task_1', attempt: Infinity }],
    ['an infinite concurrency', { type: 'hello', did, concurrency: Infinity }],
  ])('refuses a non-finite number: %s', (_name, frame) => {
    expect(accepts(agentValidators, frame) || accepts(nodeValidators, frame)).toBe(false)
  })

  it('refuses an attempt of 1e400, which JSON parses to Infinity', () => {
    const frame: unknown = JSON.parse('{"type":"accepted","taskId":"task_1","attempt":1e400}')
    expect(accepts(agentValidators, frame)).toBe(false)
  })

  it.each([['task'], ['ready'], ['subscribe'], ['__proto__'], ['constructor']])(
    'refuses a frame from an agent of unknown type "%s"',
    (type) => {
      expect(accepts(agentValidators, { type, ...reply })).toBe(false)
    },
  )
})
