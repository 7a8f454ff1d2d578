import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { Logger as PinoLogger } from 'pino'
import type { AgentConnections } from '../adapters/transport/websocket/agent-connections.js'
import { buildApi } from '../api/build-api.js'
import type { ApiContext } from '../api/context.js'
import type { RateCounts } from '../api/rate-limit.js'
import type { NodeConfig } from '../node-config.js'
import type { NodeModule } from './lifecycle.js'

/**
 * The HTTP API and the agent gateway on it, built (not listening yet). Stopping closes every
 * agent socket first, so presence hears of each while the store is open, then the server.
 */
export function apiModule(
  config: NodeConfig,
  deps: {
    context: ApiContext
    connections: AgentConnections
    logger: PinoLogger
    /** A cluster's shared rate-limit counts. */
    rateCounts?: RateCounts | undefined
  },
) {
  const module = {
    name: 'api',
    app: undefined as unknown as FastifyInstance,
    async start() {
      module.app = await buildApi(deps.context, {
        logger: deps.logger,
        bodyLimitBytes: config.bodyLimitBytes,
        requestTimeoutMs: config.requestTimeoutMs,
        rateLimit: config.rateLimit,
        rateCounts: deps.rateCounts,
        // Public on an open node unless a metrics token is set; a closed node keeps them private.
        metrics: {
          token: config.metricsToken,
          protected: config.closed || config.metricsToken !== undefined,
        },
        dashboardDir: config.dashboard
          ? fileURLToPath(new URL('../../../dashboard/dist', import.meta.url))
          : undefined,
      })
    },
    async stop() {
      deps.connections.closeAll()
      await module.app.close()
    },
  } satisfies NodeModule & Record<string, unknown>
  return module
}
