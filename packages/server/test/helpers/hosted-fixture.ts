import { generateKeyPair, type AgentCard, type Capability, type KeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import type { RunningNode } from '../../src/node.js'
import { startTestNode } from './test-node.js'

/** A capability whose handler the guest code below defines. */
export function greetCapability(id: string, amount = '0.01'): Capability {
  return {
    id,
    description: `Greets a name (${id})`,
    tags: ['hosted-test'],
    input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    output: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    pricing: { model: 'per_call', amount, currency: 'USD' },
    sla: { timeoutMs: 5000 },
  }
}

/**
 * A guest module as the Sandbox port describes it: it greets with `ctx.params.greeting`
 * (default "hello"), reports progress and logs a line. `extra` adds handler source for more
 * capabilities (e.g. one that calls another through `ctx.call`).
 */
export function greeterCode(capabilityId: string, extra = ''): string {
  return `import { defineAgent } from '@agentmesh/sdk'

export default defineAgent({
  name: 'greeter',
  description: 'Greets, hosted',
  capabilities: [
    {
      id: '${capabilityId}',
      handler: async (input, ctx) => {
        ctx.progress(0.5, 'greeting')
        console.log('greeting ' + input.text)
        return { text: (ctx.params.greeting ?? 'hello') + ' ' + input.text }
      },
    },${extra}
  ],
})
`
}

/** The card of a hosted agent: the key's DID, the capabilities. */
export function hostedCard(key: KeyPair, capabilities: Capability[], name = 'greeter'): AgentCard {
  return { did: key.did, name, description: 'A hosted test agent', version: 1, capabilities }
}

/** A node with its own sandbox (QuickJS), granting 10 USD to every new key. */
export function startHostedNode(
  overrides: Parameters<typeof startTestNode>[0] = {},
): Promise<RunningNode> {
  return startTestNode({ grant: { amount: '10', currency: 'USD' }, ...overrides })
}

/** A new key signed in as an agent (the role that uploads hosted agents). */
export async function agentMesh(url: string): Promise<{ mesh: Mesh; key: KeyPair }> {
  const key = generateKeyPair()
  return { mesh: await Mesh.connect(url, { key, roles: ['agent'] }), key }
}
