import { didSchema, MeshError, roles, type Role } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

/** The challenge–signature sign-in, and the session's own routes. */
export function authRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { did: string } }>(
    '/v1/auth/challenge',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Get a single-use nonce to sign',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['did'],
          properties: { did: didSchema },
        },
      },
    },
    async (request) => {
      const { nonce, expiresAtMs, node } = await ctx.auth.challenge(request.body.did)
      return { nonce, node, expiresAt: iso(expiresAtMs) }
    },
  )

  app.post<{ Body: { did: string; nonce: string; signature: string; roles?: Role[] } }>(
    '/v1/auth/token',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a signed nonce for a session token',
        description:
          'The signature is Ed25519 over the canonical JSON {"domain":"agentmesh/auth/v1","node":NODE_DID,"nonce":NONCE}, base64url. An unknown key registers itself with `roles` (client and/or agent; default client) unless the node is closed.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['did', 'nonce', 'signature'],
          properties: {
            did: didSchema,
            nonce: { type: 'string', minLength: 1, maxLength: 128 },
            signature: { type: 'string', minLength: 1, maxLength: 256 },
            roles: { type: 'array', items: { enum: [...roles] }, maxItems: 4, uniqueItems: true },
          },
        },
      },
    },
    async (request) => {
      const issued = await ctx.auth.login(request.body)
      return { token: issued.token, expiresAt: iso(issued.expiresAtMs), roles: issued.roles }
    },
  )

  app.get(
    '/v1/auth/whoami',
    { schema: { tags: ['auth'], summary: 'The caller and its roles' } },
    (request) => callerOf(request),
  )

  app.post(
    '/v1/auth/revoke',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke the token this request carries',
        description: 'Takes no body: one with a body is refused (400), as it would be ignored.',
      },
      // A body here would be a caller's mistake (another token to revoke?): refuse, never ignore.
      preValidation: (request, _reply, done) => {
        if (request.body === undefined) return done()
        done(
          new MeshError(
            'INVALID_INPUT',
            'POST /v1/auth/revoke takes no body: it revokes the token in the Authorization header',
          ),
        )
      },
    },
    async (request, reply) => {
      const token = request.headers.authorization?.split(/\s+/)[1] ?? ''
      await ctx.auth.revoke(token)
      return reply.status(204).send()
    },
  )
}
