import { MeshError } from '@agentmesh/protocol'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireRole } from '../core/auth/auth-service.js'
import type { Caller } from '../core/auth/caller.js'
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
 * token to a caller (401 otherwise) and checks the route's roles (403 otherwise). A token that
 * fails is answered by `installAuthFailureHook` only after the rate limiter ran, which keys a
 * request without a caller on its address: so failed authentications count per address like
 * public calls, and past the limit get 429 instead of 401 (a good token from there passes).
 */
export function installAuthHook(app: FastifyInstance, ctx: ApiContext): void {
  app.decorateRequest('caller', undefined)
  app.decorateRequest('authFailure', undefined)
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'authenticated'
    if (access === 'public' || request.is404) return
    try {
      request.caller = await ctx.auth.authenticate(bearerToken(request))
    } catch (error) {
      request.authFailure = error instanceof Error ? error : new Error(String(error))
      return
    }
    if (Array.isArray(access)) requireRole(request.caller, ...access)
  })
}

/** Answers a failed authentication (see `installAuthHook`), once the rate limiter has counted it. */
export function installAuthFailureHook(app: FastifyInstance): void {
  // The rate limiter's hooks are the route's own, which run after every global onRequest hook:
  // the first hook after them all, and still before the body is read, is preParsing.
  app.addHook('preParsing', (request, _reply, payload, done) => done(request.authFailure, payload))
}

/** The authenticated caller of a non-public route. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new MeshError('UNAUTHENTICATED', 'A bearer token is required')
  return request.caller
}
