import { Gauge, type Registry } from 'prom-client'
import { loadOf } from '../adapters/cluster/cluster-view.js'

/**
 * Exports `agentmesh_node_load` on every node, clustered or not: the tasks in flight on its
 * connected agents over their summed concurrency (0 without agents), read at each scrape. The
 * deploy templates scale on it (a HorizontalPodAutoscaler).
 */
export function nodeLoadMetric(
  registry: Registry,
  connections: { summary(): { inFlight: number; capacity: number } },
): void {
  new Gauge({
    name: 'agentmesh_node_load',
    help: 'Tasks in flight on this node’s agents over their capacity (0 without agents)',
    registers: [registry],
    collect() {
      const { inFlight, capacity } = connections.summary()
      this.set(loadOf(inFlight, capacity))
    },
  })
}
