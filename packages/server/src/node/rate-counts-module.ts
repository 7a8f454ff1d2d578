import { SharedRateCounts } from '../adapters/cluster/shared-rate-counts.js'
import type { ScheduledJob } from '../core/ports/scheduler.js'
import type { NodeBase } from './base.js'
import type { NodeModule } from './lifecycle.js'

/**
 * A cluster's rate limits, counted across its nodes: this node's counts go out on the bus every
 * `AGENTMESH_RATE_LIMIT_SYNC_MS` and the others' come in (see `SharedRateCounts`).
 */
export function rateCountsModule(base: NodeBase, nodeId: string) {
  const { bus, clock, scheduler, config } = base
  const counts = new SharedRateCounts(
    { bus, clock, nodeId },
    { windowMs: config.rateLimit.windowMs },
  )
  let job: ScheduledJob | undefined
  return {
    name: 'rate-limit counts',
    counts,
    start() {
      counts.start()
      job = scheduler.every('sharing rate-limit counts', config.rateLimit.syncMs ?? 100, () =>
        counts.flush(),
      )
    },
    stop() {
      job?.stop()
      counts.stop()
    },
  } satisfies NodeModule & Record<string, unknown>
}
