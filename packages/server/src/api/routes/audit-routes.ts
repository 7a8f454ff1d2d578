import { MeshError } from '@agentmesh/protocol'
import type { AuditQuery } from '@agentmesh/sdk'
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import { cosignatureSchema } from './witness-routes.js'

const hex = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const
const size = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const

const entrySchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    time: { type: 'string' },
    actor: { type: 'string' },
    action: { type: 'string' },
    resource: { type: 'string' },
    result: { type: 'string' },
    details: {},
    hash: { type: 'string' },
    leafHash: { type: 'string' },
  },
} as const

const headSchema = {
  type: 'object',
  properties: {
    size: { type: 'integer' },
    root: { type: 'string' },
    time: { type: 'string' },
    signer: { type: 'string' },
    signature: { type: 'string' },
    cosignatures: { type: 'array', items: cosignatureSchema },
  },
} as const

const proofSchema = { type: 'array', items: hex } as const

function timeMs(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  if (Number.isNaN(ms))
    throw new MeshError('INVALID_INPUT', `Query "${name}" is not a time: "${value}"`)
  return ms
}

/**
 * The audit log. Entries are authenticated: an admin reads every entry, anyone else the entries
 * where they are the actor. The signed tree head is public: it reveals only size, root and time,
 * and publishing it is what lets anyone hold the node to its log. Proofs are authenticated, since
 * their hashes let a guesser confirm an entry; inclusion proofs follow the entries' rule.
 */
export function auditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: AuditQuery }>(
    '/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Read audit entries in seq order (all for an admin, your own otherwise)',
        description:
          '`from` (inclusive) and `to` (exclusive) are ISO 8601 times; `cursor` is the `nextCursor` of the previous page.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor: { type: 'string', minLength: 1, maxLength: 512 },
            action: { type: 'string', minLength: 1, maxLength: 128 },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            cursor: { type: 'string', pattern: '^[0-9]{1,15}$' },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              entries: { type: 'array', items: entrySchema },
              nextCursor: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    async (request) => {
      const { actor, action, from, to, cursor, limit } = request.query
      const fromMs = timeMs(from, 'from')
      const toMs = timeMs(to, 'to')
      return ctx.audit.list(callerOf(request), {
        ...(actor === undefined ? {} : { actor }),
        ...(action === undefined ? {} : { action }),
        ...(fromMs === undefined ? {} : { fromMs }),
        ...(toMs === undefined ? {} : { toMs }),
        ...(cursor === undefined ? {} : { cursor }),
        ...(limit === undefined ? {} : { limit }),
      })
    },
  )

  app.get(
    '/v1/audit/head',
    {
      config: { access: 'public' },
      schema: {
        tags: ['audit'],
        summary: "The latest tree head this node signed, with its witnesses' cosignatures",
        description:
          'The signature is a compact JWS (EdDSA, kid = the node DID) over the canonical JSON {size, root, time}. Each cosignature is a JWS by a witness over {type:"agentmesh/cosignature/v1", witness, origin, size, root, time}.',
        response: { 200: headSchema },
      },
    },
    () => ctx.proofs.cosigner.cosignedHead(),
  )

  app.get<{ Querystring: { seq: number; size?: number } }>(
    '/v1/audit/proofs/inclusion',
    {
      schema: {
        tags: ['audit'],
        summary: 'RFC 9162 inclusion proof of an entry (default: in the latest signed head)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['seq'],
          properties: { seq: { ...size, minimum: 1 }, size },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              seq: { type: 'integer' },
              size: { type: 'integer' },
              leafIndex: { type: 'integer' },
              leafHash: { type: 'string' },
              path: proofSchema,
            },
          },
        },
      },
    },
    (request) => ctx.audit.inclusionProof(callerOf(request), request.query.seq, request.query.size),
  )

  app.get<{ Querystring: { from: number; to?: number } }>(
    '/v1/audit/proofs/consistency',
    {
      schema: {
        tags: ['audit'],
        summary:
          'RFC 9162 consistency proof between two tree sizes (default to: the latest signed head)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from'],
          properties: { from: size, to: size },
        },
        response: {
          200: {
            type: 'object',
            properties: { from: { type: 'integer' }, to: { type: 'integer' }, path: proofSchema },
          },
        },
      },
    },
    (request) => ctx.audit.consistencyProof(request.query.from, request.query.to),
  )
}
