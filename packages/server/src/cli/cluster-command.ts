import { MeshError, type ClusterView, type NodeInfo } from '@agentmesh/protocol'
import type { Mesh } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { CliError } from './cli-error.js'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'
import { renderClusterStatus } from './cluster-status-view.js'

/** Codes a node answers `GET /v1/cluster` with when it is not in a cluster (or predates it). */
const NOT_CLUSTERED: ReadonlySet<string> = new Set(['FEATURE_UNAVAILABLE', 'ROUTE_NOT_FOUND'])

/** The cluster view; on a node outside a cluster, a one-line reason naming its mode. */
async function clusterView(mesh: Mesh): Promise<ClusterView> {
  try {
    return await mesh.request<ClusterView>('GET', '/v1/cluster')
  } catch (error) {
    if (!(error instanceof MeshError) || !NOT_CLUSTERED.has(error.code)) throw error
    const info = await mesh.request<NodeInfo>('GET', '/v1/info')
    throw new CliError(
      `Node at "${mesh.url}" runs in ${info.mode} mode, not in a cluster: start nodes with --store postgres://… --bus nats://…`,
    )
  }
}

/** `agentmesh cluster status`: the cluster's nodes, load and leases (`GET /v1/cluster`, admin). */
export function clusterCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const cluster = program.command('cluster').description("a cluster's nodes (cluster mode)")
  withClientOptions(
    cluster
      .command('status')
      .description(
        'nodes, their agents, in-flight tasks, load, leases and the scale advice (admin)',
      ),
  )
    .option('--json', 'print the cluster view as JSON')
    .action(async (flags: ClientFlags & { json?: boolean }) => {
      const mesh = await connect(flags, env)
      try {
        const view = await clusterView(mesh)
        console.log(flags.json ? JSON.stringify(view) : renderClusterStatus(view))
      } finally {
        await mesh.close()
      }
    })
}
