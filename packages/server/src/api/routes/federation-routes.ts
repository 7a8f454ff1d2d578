import { isDid, MeshError, type ClearingStatement, type FederationView } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { Federation } from '../../node/federation-host.js'
import type { ApiContext } from '../context.js'

function federationOf(ctx: ApiContext): Federation {
  const federation = ctx.federation?.current
  if (!federation) {
    throw new MeshError(
      'FEDERATION_DISABLED',
      'This node does not federate: start it with --p2p-listen',
    )
  }
  return federation
}

/**
 * `GET /v1/federation` (peers, zones, latency, reputation, clearing balances) and
 * `POST /v1/federation/statements` (a net clearing statement signed by both nodes); admin only.
 */
export function federationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/v1/federation',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['federation'],
        summary: 'Peers, zones, latency, reputation and clearing balances',
        description:
          'Answers 404 FEDERATION_DISABLED when the node was started without --p2p-listen.',
      },
    },
    async (): Promise<FederationView> => federationOf(ctx).view(),
  )
  app.post<{ Body: { peer: string } }>(
    '/v1/federation/statements',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['federation'],
        summary: 'Draw up a net clearing statement with a peer, signed by both nodes',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['peer'],
          properties: {
            peer: { type: 'string', maxLength: 128, description: 'The peer node DID' },
          },
        },
      },
    },
    async (request): Promise<ClearingStatement> => {
      if (!isDid(request.body.peer)) {
        throw new MeshError('INVALID_DID', `Peer "${String(request.body.peer)}" is not a did:key`)
      }
      return federationOf(ctx).statement(request.body.peer)
    },
  )
}
