import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { MeshError } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import { jsonRpcErrorHandler } from '../errors.js'
import { meshMcpServer } from './mesh-tools.js'

/** The node's own address as the request reached it, for the tools' calls back into the API. */
function selfUrl(request: FastifyRequest): string {
  const { localAddress = '127.0.0.1', localPort } = request.raw.socket
  const address = localAddress.replace(/^::ffff:/, '')
  return `http://${address.includes(':') ? `[${address}]` : address}:${localPort}`
}

/**
 * MCP over streamable HTTP at `/mcp`, stateless: each POST is answered by a fresh server whose
 * tools act with the caller's bearer token (they call this node's REST API with it, so every rule
 * of the API applies). GET and DELETE (sessions, server-initiated streams) are not offered: 405.
 */
export function mcpRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post(
    '/mcp',
    {
      schema: { tags: ['mcp'], summary: 'MCP (streamable HTTP, stateless) with the mesh tools' },
      errorHandler: jsonRpcErrorHandler(
        (mesh) => ({
          code: mesh.status >= 500 ? -32603 : -32602,
          message: `${mesh.code}: ${mesh.message}`,
        }),
        ctx.store,
      ),
    },
    async (request, reply) => {
      callerOf(request)
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? ''
      const mesh = await Mesh.connect(selfUrl(request), { token })
      const server = meshMcpServer(mesh, ctx.version, (error) =>
        request.log.error({ err: error }, 'MCP tool failed'),
      )
      const transport = new StreamableHTTPServerTransport({})
      reply.raw.on('close', () => {
        void transport.close()
        void server.close()
      })
      await server.connect(transport)
      reply.hijack()
      await transport.handleRequest(request.raw, reply.raw, request.body)
    },
  )
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      schema: { hide: true },
      handler: () => {
        throw new MeshError(
          'METHOD_NOT_ALLOWED',
          `MCP at /mcp is stateless: ${method} is not offered`,
        )
      },
    })
  }
}
