import { generateKeyPair, type Capability, type KeyPair } from '@agentmesh/protocol'
import { defineAgent, type Agent, type AgentCapability, type TaskContext } from '@agentmesh/sdk'

/** A capability `text.echo` (or another id) at a price, with an SLA timeout. */
export function echoCapability(id = 'text.echo', amount = '0.01', timeoutMs = 2000): Capability {
  return {
    id,
    description: `Echoes its text (${id})`,
    tags: ['test'],
    input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    output: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    pricing: { model: 'per_call', amount, currency: 'USD' },
    sla: { timeoutMs },
  }
}

type Handler = (input: { text: string }, ctx: TaskContext) => unknown

/** Starts an SDK agent with one capability on a node; answers it with its key. */
export async function startAgent(
  url: string,
  capability: Capability,
  handler: Handler,
  options: { name?: string; concurrency?: number; reconnect?: boolean; key?: KeyPair } = {},
): Promise<{ agent: Agent; key: KeyPair }> {
  const key = options.key ?? generateKeyPair()
  const agent = defineAgent({
    name: options.name ?? `agent-${capability.id}`,
    description: 'A test agent',
    concurrency: options.concurrency ?? 4,
    capabilities: [{ ...capability, handler } as AgentCapability],
  })
  await agent.connect(url, { key, reconnect: options.reconnect ?? false })
  return { agent, key }
}

/** A handler that never answers: it waits until the task is aborted. */
export const hang: Handler = (_input, ctx) =>
  new Promise((_resolve, reject) =>
    ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
  )

export const echo: Handler = (input) => ({ text: input.text })

/**
 * Agents a test starts, closed after it: call `start` like `startAgent`, and `closeAll` in
 * `afterEach`.
 */
export function agentsOfTest(): {
  start: (...args: Parameters<typeof startAgent>) => ReturnType<typeof startAgent>
  closeAll: () => Promise<void>
} {
  const started: Agent[] = []
  return {
    async start(...args) {
      const agent = await startAgent(...args)
      started.push(agent.agent)
      return agent
    },
    closeAll: () => Promise.all(started.splice(0).map((a) => a.close())).then(() => undefined),
  }
}
