import { MeshError } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { ApiContext } from '../context.js'

/** Requests a draining node still answers: reads, and what ends or follows work already there. */
const NEW_WORK = /^\/v1\/(tasks|pipelines\/runs|intents)(\?|$)/

/**
 * `GET /v1/cluster` (admin): the nodes, their agents and load, the leases and the scale
 * recommendation. An embedded node answers FEATURE_UNAVAILABLE. A draining cluster node refuses
 * new work (submissions, runs, intents) with UNAVAILABLE, so clients go to another node.
 */
export function clusterRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method === 'POST' && ctx.cluster?.draining() && NEW_WORK.test(request.url)) {
      done(
        new MeshError(
          'UNAVAILABLE',
          'This node is draining: send new work to another node of the cluster',
        ),
      )
      return
    }
    done()
  })
  app.get(
    '/v1/cluster',
    {
      config: { access: ['admin'] },
      schema: {
        tags: ['node'],
        summary: 'The cluster: nodes, their agents, load, leases and the scale recommendation',
        description:
          'Admin only, cluster mode only (an embedded node answers 501 FEATURE_UNAVAILABLE). `recommendation` is `scale_out` above a load of 0.8, `scale_in` below 0.3.',
      },
    },
    async () => {
      if (!ctx.cluster)
        throw new MeshError(
          'FEATURE_UNAVAILABLE',
          'This node is not in a cluster: start it with --bus nats://… to run one',
        )
      return ctx.cluster.view()
    },
  )
}
