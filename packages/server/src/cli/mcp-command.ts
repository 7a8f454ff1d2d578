import { createRequire } from 'node:module'
import type { Command } from 'commander'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'

/**
 * `agentmesh mcp`: an MCP server over stdio for a local MCP client (an assistant), bridging to a
 * node with `--url` and `--key` (or `--token`). Stdout carries the protocol; nothing else is
 * printed there. It ends when the client closes stdin.
 */
export function mcpCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const { version } = createRequire(import.meta.url)('../../package.json') as { version: string }
  withClientOptions(
    program.command('mcp').description('MCP server over stdio, bridging to a node'),
  ).action(async (flags: ClientFlags) => {
    const mesh = await connect(flags, env)
    // The MCP libraries load only for this command.
    const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js')
    const { meshMcpServer } = await import('../api/mcp/mesh-tools.js')
    // Stdout carries the protocol: what fails unexpectedly is told on stderr.
    const server = meshMcpServer(mesh, version, (error) =>
      process.stderr.write(`agentmesh mcp: ${(error as Error)?.message ?? String(error)}\n`),
    )
    const transport = new StdioServerTransport()
    const closed = new Promise<void>((resolve) => (transport.onclose = resolve))
    process.stdin.on('end', () => void server.close())
    await server.connect(transport)
    await closed
    await mesh.close()
  })
}
