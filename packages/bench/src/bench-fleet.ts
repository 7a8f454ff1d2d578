import { generateKeyPair, type Capability } from '@agentmesh/protocol'
import { defineAgent, Mesh, type Agent } from '@agentmesh/sdk'

/** The echo capability every benchmark agent offers. */
export function benchEchoCapability(id: string, timeoutMs = 10_000): Capability {
  return {
    id,
    description: 'Echoes its text (benchmark)',
    input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    output: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    pricing: { model: 'per_call', amount: '0.000001', currency: 'USD' },
    sla: { timeoutMs },
  }
}

/** SDK agents and clients connected to one node, for the benchmarks that drive it. */
export interface BenchFleet {
  agents: Agent[]
  clients: Mesh[]
  close(): Promise<void>
}

/**
 * Connects `agents` echo agents offering `capabilityId` over WebSockets and `clients` clients
 * with keys of their own (each granted credit by the node's `--grant`).
 */
export async function startFleet(
  url: string,
  options: { capabilityId: string; agents: number; clients: number; concurrency?: number },
): Promise<BenchFleet> {
  const agents: Agent[] = []
  const clients: Mesh[] = []
  const close = async () => {
    await Promise.all(clients.map((c) => c.close()))
    await Promise.all(agents.map((a) => a.close()))
  }
  try {
    for (let i = 0; i < options.agents; i++) {
      const agent = defineAgent({
        name: `bench-echo-${i}`,
        description: 'Echoes for the benchmark',
        concurrency: options.concurrency ?? 256,
        capabilities: [
          {
            ...benchEchoCapability(options.capabilityId),
            handler: (input: { text: string }) => ({ text: input.text }),
          },
        ],
      })
      await agent.connect(url, { key: generateKeyPair(), reconnect: false })
      agents.push(agent)
    }
    for (let i = 0; i < options.clients; i++) {
      clients.push(await Mesh.connect(url, { key: generateKeyPair() }))
    }
  } catch (error) {
    await close()
    throw error
  }
  return { agents, clients, close }
}

/** One task, submitted with `?wait`, that must complete; throws otherwise. */
export async function echoTask(url: string, token: string, capabilityId: string): Promise<void> {
  const response = await fetch(`${url}/v1/tasks?wait=10000`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      capability: capabilityId,
      input: { text: 'hello' },
      maxPrice: { amount: '0.01', currency: 'USD' },
    }),
  })
  const task = (await response.json()) as { state?: string; error?: { code?: string } }
  if (task.state !== 'completed') {
    throw new Error(`task ${task.state ?? response.status} ${task.error?.code ?? ''}`.trim())
  }
}
