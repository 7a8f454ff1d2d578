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

/** Failed authentications per client address, in fixed windows. */
class FailureCount {
  readonly #byAddress = new Map<string, { count: number; startMs: number }>()

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Counts a failure; answers how long until the address may fail again, or 0 within the limit. */
  fail(address: string, nowMs: number): number {
    let entry = this.#byAddress.get(address)
    if (!entry || nowMs - entry.startMs >= this.windowMs || nowMs < entry.startMs) {
      if (this.#byAddress.size >= 100_000) this.#byAddress.clear()
      entry = { count: 0, startMs: nowMs }
      this.#byAddress.set(address, entry)
    }
    entry.count++
    return entry.count > this.max ? entry.startMs + this.windowMs - nowMs : 0
  }
}

/**
 * Every route is closed unless its config says `access: 'public'`: the hook resolves the bearer
 * token to a caller (401 otherwise) and checks the route's roles (403 otherwise). With
 * `failures`, an address whose requests fail to authenticate more than `max` times a window gets
 * 429 RATE_LIMITED for the rest of it instead of 401 (a good token from it still passes): the
 * rate limiter keys on the caller, which a failed request never has.
 */
export function installAuthHook(
  app: FastifyInstance,
  ctx: ApiContext,
  failures?: { max: number; windowMs: number },
): void {
  const counted = failures && new FailureCount(failures.max, failures.windowMs)
  app.decorateRequest('caller', undefined)
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access ?? 'authenticated'
    if (access === 'public' || request.is404) return
    try {
      request.caller = await ctx.auth.authenticate(bearerToken(request))
    } catch (error) {
      const waitMs =
        counted && error instanceof MeshError && error.status === 401
          ? counted.fail(request.ip, Date.now())
          : 0
      if (waitMs <= 0) throw error
      void reply.header('retry-after', Math.ceil(waitMs / 1000))
      throw new MeshError(
        'RATE_LIMITED',
        `Too many failed authentications from this address: at most ${counted!.max} per ${counted!.windowMs} ms, retry in ${Math.ceil(waitMs / 1000)} s`,
        { details: { limit: counted!.max, retryAfterMs: waitMs } },
      )
    }
    if (Array.isArray(access)) requireRole(request.caller, ...access)
  })
}

/** The authenticated caller of a non-public route. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new MeshError('UNAUTHENTICATED', 'A bearer token is required')
  return request.caller
}
