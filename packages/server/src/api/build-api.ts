import { existsSync } from 'node:fs'
import fastifyHelmet from '@fastify/helmet'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { a2aRoutes } from './a2a/a2a-routes.js'
import { importRoutes } from './a2a/import-routes.js'
import { mcpRoutes } from './mcp/mcp-routes.js'
import { agentGateway } from '../adapters/transport/websocket/agent-gateway.js'
import { installAuthFailureHook, installAuthHook } from './auth-hook.js'
import type { ApiContext } from './context.js'
import { installErrorHandlers } from './errors.js'
import { installJsonLimits } from './json-limits.js'
import { requestTimeouts } from './request-timeouts.js'
import { installMetricsHooks } from './metrics-hooks.js'
import { installRateLimit, type RateCounts, type RateLimitOptions } from './rate-limit.js'
import { securityHeaders } from './security-headers.js'
import { auditRoutes } from './routes/audit-routes.js'
import { agentRoutes } from './routes/agent-routes.js'
import { authRoutes } from './routes/auth-routes.js'
import { budgetRoutes } from './routes/budget-routes.js'
import { certificateRoutes } from './routes/certificate-routes.js'
import { healthRoutes } from './routes/health-routes.js'
import { clusterRoutes } from './routes/cluster-routes.js'
import { infoRoutes } from './routes/info-routes.js'
import { ledgerRoutes } from './routes/ledger-routes.js'
import { marketplaceRoutes } from './routes/marketplace-routes.js'
import { permissionRoutes } from './routes/permission-routes.js'
import { principalRoutes } from './routes/principal-routes.js'
import { reputationRoutes } from './routes/reputation-routes.js'
import { negotiationRoutes } from './routes/negotiation-routes.js'
import { observabilityRoutes, type MetricsAccess } from './routes/observability-routes.js'
import { pipelineRoutes } from './routes/pipeline-routes.js'
import { searchRoutes } from './routes/search-routes.js'
import { federationRoutes } from './routes/federation-routes.js'
import { statsRoutes } from './routes/stats-routes.js'
import { subscriptionRoutes } from './routes/subscription-routes.js'
import { taskRoutes } from './routes/task-routes.js'
import { watchRoutes } from './routes/watch-routes.js'
import { witnessRoutes } from './routes/witness-routes.js'
import { hostedAgentRoutes } from './routes/hosted-agent-routes.js'
import { templateRoutes } from './routes/template-routes.js'
import { knowledgeRoutes } from './routes/knowledge-routes.js'
import { flRoutes } from './routes/fl-routes.js'
import { createValidators, schemaCompiler } from './validation.js'

export interface ApiOptions {
  logger: Logger
  /** Largest accepted request body. */
  bodyLimitBytes: number
  /** How long a client has to send a whole request (408 after); 30 s when absent. */
  requestTimeoutMs?: number | undefined
  /** Built dashboard to serve at `/`, when present. */
  dashboardDir: string | undefined
  /** Requests per window per principal and per address; unlimited when absent. */
  rateLimit?: RateLimitOptions | undefined
  /** A cluster's shared rate-limit counts; each node counts alone without them. */
  rateCounts?: RateCounts | undefined
  /** Who may read `/metrics`; public when absent. */
  metrics?: MetricsAccess | undefined
}

/** Builds the HTTP API: every route, validation, authentication, errors and the OpenAPI page. */
export async function buildApi(ctx: ApiContext, options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    ...requestTimeouts(options.requestTimeoutMs ?? 30_000),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance
  app.setValidatorCompiler(schemaCompiler(createValidators()))
  // JSON only: any other body is 415, never a string handed to a route.
  app.removeContentTypeParser('text/plain')
  installErrorHandlers(app, ctx.store)
  installJsonLimits(app)
  installMetricsHooks(app, ctx.metrics)
  installAuthHook(app, ctx)
  if (options.rateLimit) await installRateLimit(app, options.rateLimit, options.rateCounts)
  installAuthFailureHook(app)
  await app.register(fastifyHelmet, securityHeaders)

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'agentmesh',
        version: ctx.version,
        description: 'The agentmesh node API. Errors are {"error":{"code","message","retryable"}}.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  })
  await app.register(async (scope) => {
    markPublic(scope)
    await scope.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list' },
    })
  })

  healthRoutes(app, ctx)
  clusterRoutes(app, ctx)
  observabilityRoutes(app, ctx, options.metrics)
  infoRoutes(app, ctx)
  authRoutes(app, ctx)
  principalRoutes(app, ctx)
  permissionRoutes(app, ctx)
  reputationRoutes(app, ctx)
  auditRoutes(app, ctx)
  witnessRoutes(app, ctx)
  certificateRoutes(app, ctx)
  ledgerRoutes(app, ctx)
  budgetRoutes(app, ctx)
  subscriptionRoutes(app, ctx)
  await agentGateway(app, ctx, ctx.connections, {
    maxFrameBytes: options.bodyLimitBytes,
    authTimeoutMs: 10_000,
    defaultConcurrency: 4,
    isRegistered: async (did) => (await ctx.registry.get(did)) !== undefined,
    onOffer: (agentId, intentId, terms) => ctx.negotiation.receiveOffer(agentId, intentId, terms),
  })
  agentRoutes(app, ctx)
  searchRoutes(app, ctx)
  federationRoutes(app, ctx)
  marketplaceRoutes(app, ctx)
  watchRoutes(app, ctx)
  taskRoutes(app, ctx)
  pipelineRoutes(app, ctx.pipelines)
  negotiationRoutes(app, ctx.negotiation, ctx.clock)
  statsRoutes(app, ctx)
  a2aRoutes(app, ctx)
  importRoutes(app, ctx.imports)
  mcpRoutes(app, ctx)
  hostedAgentRoutes(app, ctx)
  templateRoutes(app, ctx)
  knowledgeRoutes(app, ctx)
  flRoutes(app, ctx)
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () =>
    app.swagger(),
  )

  if (options.dashboardDir && existsSync(options.dashboardDir)) {
    const root = options.dashboardDir
    await app.register(async (scope) => {
      markPublic(scope)
      await scope.register(fastifyStatic, { root, prefix: '/', wildcard: false })
    })
  }
  return app
}

/** Makes every route registered in this (encapsulated) scope public: static pages and docs. */
function markPublic(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' }
  })
}
