import {
  amountSchema,
  currencySchema,
  didSchema,
  MeshError,
  type PermissionView,
} from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { permissionKinds } from '../../core/auth/permission-service.js'
import type { Permission } from '../../core/auth/auth-store.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'

const capabilityPatternSchema = {
  type: 'string',
  pattern: '^(\\*|[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*(\\.\\*)?)$',
  maxLength: 128,
  description: 'A capability id, "prefix.*" or "*"',
} as const

const permissionView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    did: { type: 'string' },
    resource: { type: 'string' },
    action: { type: 'string' },
    scope: { type: 'object', additionalProperties: { type: 'string' } },
    expiresAt: { type: ['string', 'null'] },
    expired: { type: 'boolean' },
    grantedBy: { type: 'string' },
    grantedAt: { type: 'string' },
  },
} as const

/** Permissions an admin grants a principal beside its roles: scoped, optionally expiring. */
export function permissionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const params = { type: 'object', required: ['did'], properties: { did: didSchema } } as const
  const view = (permission: Permission): PermissionView => ({
    id: permission.id,
    did: permission.did,
    resource: permission.resource,
    action: permission.action,
    scope: permission.scope,
    expiresAt:
      permission.expiresAtMs === null ? null : new Date(permission.expiresAtMs).toISOString(),
    expired: permission.expiresAtMs !== null && permission.expiresAtMs <= ctx.clock.now(),
    grantedBy: permission.grantedBy,
    grantedAt: new Date(permission.grantedAtMs).toISOString(),
  })

  app.post<{
    Params: { did: string }
    Body: { resource: string; action: string; scope?: Record<string, string>; expiresAt?: string }
  }>(
    '/v1/principals/:did/permissions',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['auth'],
        summary: 'Grant a principal a permission (admin)',
        description: `Kinds: ${Object.entries(permissionKinds)
          .map(([resource, kind]) => `${resource}.${kind.action} (scope: ${kind.scope.join(', ')})`)
          .join(
            '; ',
          )}. A principal with a permission of a kind is limited to what its live ones cover; with none, its roles decide.`,
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['resource', 'action'],
          properties: {
            resource: { enum: Object.keys(permissionKinds) },
            action: { enum: [...new Set(Object.values(permissionKinds).map((k) => k.action))] },
            scope: {
              type: 'object',
              additionalProperties: false,
              properties: {
                capability: capabilityPatternSchema,
                maxPrice: amountSchema,
                currency: currencySchema,
              },
            },
            expiresAt: { type: 'string', format: 'date-time' },
          },
        },
        response: { 201: permissionView },
      },
    },
    async (request, reply) => {
      const { resource, action, scope, expiresAt } = request.body
      const expiresAtMs = expiresAt === undefined ? null : Date.parse(expiresAt)
      if (expiresAtMs !== null && Number.isNaN(expiresAtMs)) {
        throw new MeshError('INVALID_INPUT', `Expiry "${expiresAt}" is not a date-time`)
      }
      const permission = await ctx.permissions.grant(callerOf(request).did, request.params.did, {
        resource,
        action,
        ...(scope ? { scope } : {}),
        expiresAtMs,
      })
      return reply.status(201).send(view(permission))
    },
  )

  app.get<{ Params: { did: string } }>(
    '/v1/principals/:did/permissions',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['auth'],
        summary: "A principal's permissions, expired ones included (admin)",
        params,
        response: {
          200: {
            type: 'object',
            properties: { permissions: { type: 'array', items: permissionView } },
          },
        },
      },
    },
    async (request) => ({
      permissions: (await ctx.permissions.list(request.params.did)).map(view),
    }),
  )

  app.delete<{ Params: { did: string; permissionId: string } }>(
    '/v1/principals/:did/permissions/:permissionId',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['auth'],
        summary: 'Take a permission back (admin)',
        params: {
          type: 'object',
          required: ['did', 'permissionId'],
          properties: {
            did: didSchema,
            permissionId: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      await ctx.permissions.revoke(
        callerOf(request).did,
        request.params.did,
        request.params.permissionId,
      )
      return reply.status(204).send()
    },
  )
}
