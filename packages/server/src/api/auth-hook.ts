import { MeshError } from '@agentmesh/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireRole, type Caller } from '../core/auth/auth-service.js'
import type { ApiContext } from './context.js'

/** Reads `Authorization: Bearer <token>`; anything else is no token. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match)
    throw new MeshError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"')
  return match[1]
}

/**
 * Every route is closed unless its config says `access: 'public'`: the hook resolves the bearer
 * token to a caller (401 otherwise) and checks the route's roles (403 otherwise).
 */
export function installAuthHook(app: FastifyInstance, ctx: ApiContext): void {
  app.decorateRequest('caller', undefined)
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'authenticated'
    if (access === 'public' || request.is404) return
    request.caller = await ctx.auth.authenticate(bearerToken(request))
    if (Array.isArray(access)) requireRole(request.caller, ...access)
  })
}

/** The authenticated caller of a non-public route. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new MeshError('UNAUTHENTICATED', 'A bearer token is required')
  return request.caller
}
