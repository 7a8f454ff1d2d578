import { MeshError } from '@agentmesh/protocol'
import { HostedLeases } from '../adapters/cluster/hosted-leases.js'
import { LeasedTaskStore } from '../adapters/cluster/leased-task-store.js'
import { ClusterTransport } from '../adapters/transport/cluster/cluster-transport.js'
import type { AgentConnections } from '../adapters/transport/websocket/agent-connections.js'
import type { Store } from '../core/store.js'
import type { TaskTransport } from '../core/ports/task-transport.js'
import type { NodeConfig } from '../node-config.js'
import type { NodeBase } from './base.js'
import type { clusterNetwork } from './cluster-network.js'
import type { NodeModule } from './lifecycle.js'

type Network = ReturnType<typeof clusterNetwork>

/**
 * Where another node's agents are (presence), and the transport there: a task for an agent
 * connected to another node (or a hosted agent another node serves) travels to it over NATS.
 * `module(connections, hosted)` starts this node's side, which serves the attempts other nodes
 * send to the agents connected here and to the hosted agents this node serves.
 */
export function clusterTransport(net: Network, config: NodeConfig, base: NodeBase) {
  let carrier: ClusterTransport | undefined
  const transport: TaskTransport = {
    dispatch(agentId, dispatch, options) {
      const nodeId = net.presence.nodeOf(agentId)
      if (!carrier || nodeId === undefined)
        return Promise.reject(
          new MeshError('PROVIDER_DISCONNECTED', `Agent "${agentId}" is not connected`),
        )
      return carrier.dispatch(nodeId, agentId, dispatch, options)
    },
  }
  return {
    nodeOf: (agentId: string) => net.presence.nodeOf(agentId),
    transport,
    module(
      connections: AgentConnections,
      hosted: { isStarted(agentId: string): boolean; transport: TaskTransport },
    ) {
      const served: TaskTransport = {
        dispatch: (agentId, dispatch, options) =>
          (hosted.isStarted(agentId) ? hosted.transport : connections).dispatch(
            agentId,
            dispatch,
            options,
          ),
      }
      const local = new ClusterTransport(net.link.nc, {
        name: config.cluster!.name,
        nodeId: net.nodeId,
        local: served,
        logger: base.logger,
      })
      return {
        name: 'cluster transport',
        async start() {
          await local.start()
          carrier = local
        },
        stop: () => local.stop(),
      } satisfies NodeModule
    },
  }
}

/** The task store of a cluster node: every write fenced by its lease (see LeasedTaskStore). */
export function clusterTasks(net: Network, config: NodeConfig, base: NodeBase, store: Store) {
  return new LeasedTaskStore(store.tasks, {
    leases: net.leases,
    owner: net.nodeId,
    clock: base.clock,
    leaseMs: config.cluster!.leaseMs,
  })
}

/** Which node of the cluster serves each started hosted agent: the holder of its lease. */
export function clusterHostedLeases(net: Network, config: NodeConfig, base: NodeBase) {
  return new HostedLeases(net.hostedLeases, {
    owner: net.nodeId,
    clock: base.clock,
    leaseMs: config.cluster!.leaseMs,
  })
}
