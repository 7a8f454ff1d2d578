import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { MeshError } from '@agentmesh/protocol'
import type { Mesh } from '@agentmesh/sdk'
import { z } from 'zod'

const amount = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$/, 'a decimal amount such as "0.01"')
const currency = z.string().regex(/^[A-Z][A-Z0-9]{2,9}$/, 'a currency code such as "USD"')

const json = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
})

/**
 * A failure the model can read: the catalogue code and the node's message. Any other error (the
 * node unreachable at its internal address, a bug) says only that the tool failed; its text goes
 * to `onError`.
 */
function failure(error: unknown, onError: (error: unknown) => void): CallToolResult {
  if (!(error instanceof MeshError)) onError(error)
  const text =
    error instanceof MeshError
      ? `${error.code}: ${error.message}`
      : 'INTERNAL: The tool failed on the node'
  return { content: [{ type: 'text', text }], isError: true }
}

/**
 * An MCP server whose tools use the mesh as `mesh`'s principal: search agents, call a
 * capability (escrowed and settled like any task), read a task, run a pipeline, read a balance.
 * One definition for both transports: `/mcp` (the caller's token) and `agentmesh mcp` (stdio).
 * `onError` hears what failed unexpectedly (the tool's caller is told only that it failed).
 */
export function meshMcpServer(
  mesh: Mesh,
  version: string,
  onError: (error: unknown) => void = () => {},
): McpServer {
  const run = async (work: () => Promise<unknown>): Promise<CallToolResult> => {
    try {
      return json(await work())
    } catch (error) {
      return failure(error, onError)
    }
  }
  const server = new McpServer({ name: 'agentmesh', version })
  server.registerTool(
    'search_agents',
    {
      description:
        'Search the mesh for agents and capabilities, ranked by relevance, price, latency, reputation and liveness',
      inputSchema: {
        query: z.string().max(500).describe('What the capability should do, e.g. "sentiment"'),
        maxPrice: amount.optional().describe('Highest price per call'),
        capability: z.string().max(128).optional().describe('Only this capability id'),
        onlineOnly: z.boolean().optional(),
        limit: z.number().int().min(1).max(100).optional(),
      },
    },
    ({ query, maxPrice, capability, onlineOnly, limit }) =>
      run(() =>
        mesh.search(query, {
          ...(maxPrice === undefined ? {} : { maxPrice }),
          ...(capability === undefined ? {} : { capability }),
          ...(onlineOnly === undefined ? {} : { online: onlineOnly }),
          ...(limit === undefined ? {} : { limit }),
        }),
      ),
  )
  server.registerTool(
    'call_capability',
    {
      description:
        "Call a capability of the mesh and wait for its result; the price (at most maxPrice) is paid from the caller's account",
      inputSchema: {
        capability: z.string().min(1).max(128).describe('Capability id, e.g. "text.sentiment"'),
        input: z
          .record(z.string(), z.unknown())
          .describe("The input, matching the capability's input schema"),
        maxPrice: amount.describe('The most this call may cost'),
        currency: currency.optional(),
        timeoutMs: z.number().int().min(1).max(600_000).optional(),
        agentId: z.string().max(200).optional().describe('Only this provider'),
      },
    },
    ({ capability, input, maxPrice, currency: cur, timeoutMs, agentId }) =>
      run(async () => {
        const timeout = timeoutMs ?? 30_000
        const task = await mesh.submit(capability, input, {
          maxPrice,
          timeoutMs: timeout,
          wait: timeout + 1000,
          ...(cur === undefined ? {} : { currency: cur }),
          ...(agentId === undefined ? {} : { agentId }),
        })
        if (task.state !== 'completed' && task.error) {
          throw MeshError.fromWire(task.error, 'The task failed')
        }
        return task
      }),
  )
  server.registerTool(
    'get_task',
    {
      description: 'Read a task of yours: state, output, error, attempts and settlement',
      inputSchema: { taskId: z.string().min(1).max(200) },
    },
    ({ taskId }) => run(() => mesh.task(taskId)),
  )
  server.registerTool(
    'run_pipeline',
    {
      description:
        'Run a pipeline definition (steps with capabilities, needs and input mappings) and wait for it',
      inputSchema: {
        definition: z.record(z.string(), z.unknown()).describe('The pipeline definition'),
        input: z.unknown().optional(),
        waitMs: z.number().int().min(0).max(600_000).optional(),
      },
    },
    ({ definition, input, waitMs }) =>
      run(() => mesh.runPipeline(definition, input, { wait: waitMs ?? 60_000 })),
  )
  server.registerTool(
    'get_balance',
    {
      description: "Read an account's balance (default: your own account in the currency)",
      inputSchema: {
        account: z.string().max(300).optional().describe('Account id "DID:CURRENCY"'),
        currency: currency.optional(),
      },
    },
    ({ account, currency: cur }) =>
      run(async () => {
        const id = account ?? `${(await mesh.whoami()).did}:${cur ?? 'USD'}`
        return mesh.account(id)
      }),
  )
  return server
}
