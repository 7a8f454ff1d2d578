import { guardedFetch, resolveAllowed } from '../adapters/http/guarded-fetch.js'
import { PushNotifier } from '../adapters/http/push-notifier.js'
import { systemTimers } from '../adapters/system/system-timers.js'
import { pushPayload } from '../api/a2a/push-payload.js'
import type { NodeBase } from './base.js'
import type { NodeModule } from './lifecycle.js'

/**
 * Push notifications of task state changes (A2A push configs, `webhook` of `POST /v1/tasks`),
 * POSTed through the guarded outbound client: private addresses only where the outbound policy
 * allows them (`AGENTMESH_ALLOW_PRIVATE_IMPORTS`).
 */
export function pushModule(base: NodeBase) {
  const { config, store, clock, bus, logger } = base
  const push = new PushNotifier({
    bus,
    clock,
    timers: systemTimers,
    logger,
    tasks: store.tasks,
    configs: store.pushConfigs,
    fetch: guardedFetch(config.outbound),
    checkUrl: (url) => resolveAllowed(url, config.outbound),
    render: pushPayload,
  })
  return {
    name: 'push',
    push,
    start: () => push.start(),
    stop: () => push.stop(),
  } satisfies NodeModule & Record<string, unknown>
}
