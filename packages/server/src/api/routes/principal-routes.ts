import { didSchema, MeshError, roles, type Role } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'

const principalResponse = {
  type: 'object',
  properties: {
    did: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string' },
  },
} as const

/**
 * Principals: an admin registers keys (on a closed node), sets roles and removes keys; anyone reads
 * their own.
 */
export function principalRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const params = { type: 'object', required: ['did'], properties: { did: didSchema } } as const

  app.put<{ Params: { did: string }; Body: { roles: Role[] } }>(
    '/v1/principals/:did',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['auth'],
        summary: 'Register a key or set its roles (admin)',
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['roles'],
          properties: {
            roles: { type: 'array', items: { enum: [...roles] }, minItems: 1, uniqueItems: true },
          },
        },
        response: { 200: principalResponse },
      },
    },
    async (request) => {
      const principal = await ctx.auth.setRoles(
        request.params.did,
        request.body.roles,
        callerOf(request).did,
      )
      return { ...principal, createdAt: new Date(principal.createdAtMs).toISOString() }
    },
  )

  app.delete<{ Params: { did: string } }>(
    '/v1/principals/:did',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['auth'],
        summary: 'Remove a principal: its sessions end at once, its permissions go (admin)',
        params,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      await ctx.auth.remove(request.params.did, callerOf(request).did)
      return reply.status(204).send()
    },
  )

  app.get<{ Params: { did: string } }>(
    '/v1/principals/:did',
    {
      schema: {
        tags: ['auth'],
        summary: 'Read a principal (itself, or any for an admin)',
        params,
        response: { 200: principalResponse },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      if (caller.did !== request.params.did && !caller.roles.includes('admin')) {
        throw new MeshError('FORBIDDEN', 'Only an admin reads another principal')
      }
      const principal = await ctx.store.principals.get(request.params.did)
      if (!principal)
        throw new MeshError(
          'PRINCIPAL_NOT_FOUND',
          `Principal "${request.params.did}" is not registered`,
        )
      return { ...principal, createdAt: new Date(principal.createdAtMs).toISOString() }
    },
  )
}
