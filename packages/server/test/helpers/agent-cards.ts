import { generateKeyPair, type AgentCard, type Capability, type KeyPair } from '@agentmesh/protocol'

/** A capability with small valid schemas; override any field. */
export function capability(overrides: Partial<Capability> = {}): Capability {
  return {
    id: 'text.sentiment',
    description: 'Scores the sentiment of English text',
    tags: ['nlp', 'text'],
    input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    output: { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] },
    pricing: { model: 'per_call', amount: '0.001', currency: 'USD' },
    sla: { timeoutMs: 2000, p95LatencyMs: 200 },
    ...overrides,
  }
}

/** A one-capability card for `key` (a new key when omitted). */
export function agentCard(
  key: KeyPair = generateKeyPair(),
  overrides: Partial<AgentCard> = {},
): AgentCard {
  return {
    did: key.did,
    name: 'sentiment',
    description: 'Scores the sentiment of English text',
    version: 1,
    capabilities: [capability()],
    ...overrides,
  }
}
