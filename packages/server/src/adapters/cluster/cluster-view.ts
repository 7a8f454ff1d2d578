import type { ClusterNodeView, ClusterView } from '@agentmesh/protocol'
import type { LeaseRow } from '../store/task-lease-store.js'
import type { NodeAnnouncement } from './node-directory.js'

/** Above this load the cluster should grow; below `SCALE_IN_BELOW` it may shrink. */
export const SCALE_OUT_ABOVE = 0.8
export const SCALE_IN_BELOW = 0.3

/** In-flight work over capacity; 0 without capacity. */
export const loadOf = (inFlight: number, capacity: number): number =>
  capacity > 0 ? inFlight / capacity : 0

/**
 * What the load says to do, and the load forecast a short while ahead when there is one: out when
 * either is above `SCALE_OUT_ABOVE`, in only when both are below `SCALE_IN_BELOW`.
 */
export function recommendation(load: number, forecast?: number): ClusterView['recommendation'] {
  const high = Math.max(load, forecast ?? load)
  return high > SCALE_OUT_ABOVE ? 'scale_out' : high < SCALE_IN_BELOW ? 'scale_in' : 'steady'
}

/** Builds `GET /v1/cluster` from the node directory and the leases. */
export function clusterView(
  nodeId: string,
  nodes: (NodeAnnouncement & { gone: boolean })[],
  leases: { leases: LeaseRow[]; byOwner: Map<string, number> },
  forecast?: ClusterView['forecast'],
): ClusterView {
  const views: ClusterNodeView[] = nodes.map((n) => ({
    id: n.id,
    did: n.did,
    url: n.url,
    startedAt: new Date(n.startedAtMs).toISOString(),
    lastSeenAt: new Date(n.lastSeenMs).toISOString(),
    state: n.gone ? 'gone' : n.state,
    agents: n.agents,
    inFlight: n.inFlight,
    capacity: n.capacity,
    load: loadOf(n.inFlight, n.capacity),
    leases: leases.byOwner.get(n.id) ?? 0,
  }))
  const up = views.filter((n) => n.state === 'up')
  const load = loadOf(
    up.reduce((sum, n) => sum + n.inFlight, 0),
    up.reduce((sum, n) => sum + n.capacity, 0),
  )
  return {
    nodeId,
    nodes: views.sort((a, b) => a.id.localeCompare(b.id)),
    load,
    recommendation: recommendation(load, forecast?.load),
    ...(forecast ? { forecast } : {}),
    leases: leases.leases.map((l) => ({
      taskId: l.taskId,
      ownerId: l.owner,
      epoch: l.epoch,
      expiresAt: new Date(l.expiresAtMs).toISOString(),
    })),
  }
}
