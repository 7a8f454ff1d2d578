import type { Bus } from '../ports/bus.js'
import type { Timers } from '../ports/timers.js'
import { REGISTRY_CHANGED } from '../registry/registry-service.js'

/**
 * Resolves when any agent comes online (a registry `online` event), after `ms`, or when one of
 * `signals` aborts, whichever is first; it listens from the call on. A restarted node's tasks
 * wait so for their providers to reconnect.
 */
export function nextOnline(
  deps: { bus: Bus; timers: Timers },
  ms: number,
  ...signals: AbortSignal[]
): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      unsubscribe()
      cancelTimer()
      for (const signal of signals) signal.removeEventListener('abort', finish)
      resolve()
    }
    const unsubscribe = deps.bus.subscribe(REGISTRY_CHANGED, ({ body }) => {
      if ((body as { type?: string }).type === 'online') finish()
    })
    const cancelTimer = deps.timers.setTimeout(finish, Math.max(0, ms))
    if (signals.some((signal) => signal.aborted)) finish()
    else for (const signal of signals) signal.addEventListener('abort', finish, { once: true })
  })
}
