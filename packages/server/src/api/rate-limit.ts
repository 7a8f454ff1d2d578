import fastifyRateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { MeshError } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'

/** How many requests a caller may make per window. */
export interface RateLimitOptions {
  /** Requests per window for each authenticated principal (by DID), whatever its address. */
  principalMax: number
  /** Requests per window for each client address on public routes and unauthenticated calls. */
  ipMax: number
  windowMs: number
  /** In a cluster: how often a node tells the others its counts (see `SharedRateCounts`). */
  syncMs?: number
}

/** Counts shared with other nodes (a cluster's); without them each node counts on its own. */
export interface RateCounts {
  /** Counts one request for `key`: the count so far in its window and the ms left of it. */
  incr(key: string): { current: number; ttl: number }
}

/** Shared counts as the plugin's store; every route shares them. */
function storeOf(counts: RateCounts): FastifyRateLimitStoreCtor {
  return class {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    ) {
      callback(null, counts.incr(key))
    }

    child() {
      return this
    }
  }
}

/**
 * Limits requests per principal on authenticated routes and per address on public ones; past the
 * limit a request gets 429 RATE_LIMITED with `retry-after`. Installed after the auth hook, so the
 * caller is known when the key is chosen: a principal cannot escape its limit by changing address,
 * and many principals behind one address do not share one budget.
 */
export async function installRateLimit(
  app: FastifyInstance,
  options: RateLimitOptions,
  shared?: RateCounts,
): Promise<void> {
  await app.register(fastifyRateLimit, {
    ...(shared ? { store: storeOf(shared) } : {}),
    global: true,
    hook: 'onRequest',
    timeWindow: options.windowMs,
    keyGenerator: (request) =>
      request.caller ? `principal:${request.caller.did}` : `ip:${request.ip}`,
    max: (request) => (request.caller ? options.principalMax : options.ipMax),
    errorResponseBuilder: (_request, context) =>
      new MeshError(
        'RATE_LIMITED',
        `Too many requests: at most ${context.max} per ${options.windowMs} ms, retry in ${context.after}`,
        { details: { limit: context.max, retryAfterMs: context.ttl } },
      ),
  })
}
