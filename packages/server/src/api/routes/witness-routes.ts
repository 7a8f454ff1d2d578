import { cosignRequestSchema, type CosignRequest } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'

/** The JSON Schema of a cosignature as answered. */
export const cosignatureSchema = {
  type: 'object',
  properties: {
    witness: { type: 'string' },
    origin: { type: 'string' },
    size: { type: 'integer' },
    root: { type: 'string' },
    time: { type: 'string' },
    signature: { type: 'string' },
  },
} as const

/**
 * This node as a witness: another node, signed in with its own node key, posts its newest tree
 * head with a consistency proof from the last head this node cosigned for it, and gets a
 * cosignature or a refusal naming why (`WITNESS_*`).
 */
export function witnessRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: CosignRequest }>(
    '/v1/audit/cosign',
    {
      schema: {
        tags: ['audit'],
        summary: "Cosign the caller node's tree head as its witness",
        description:
          "The caller must be signed in as the head's signer. Refusals: WITNESS_STALE (smaller than cosigned), WITNESS_CONFLICT (another root at a cosigned size), WITNESS_SIZE_MISMATCH (oldSize is not the last cosigned size, in details.size), WITNESS_INCONSISTENT (the proof fails).",
        body: cosignRequestSchema,
        response: { 200: cosignatureSchema },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const cosignature = await ctx.proofs.witness.cosign(request.body, caller.did)
      return cosignature
    },
  )
}
