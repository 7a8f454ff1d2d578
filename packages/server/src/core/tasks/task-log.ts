import type { Bus } from '../ports/bus.js'
import type { Logger } from '../ports/logger.js'
import { TASK_EVENTS, type TaskEvent } from './task-events.js'
import { isTerminal } from './task-types.js'

/**
 * Logs every task transition with its trace id, so a log line leads to the task's trace: failed,
 * timed-out and disputed tasks at warn, everything else at debug. Answers the unsubscribe.
 */
export function logTaskEvents(bus: Bus, logger: Logger): () => void {
  return bus.subscribe(TASK_EVENTS, ({ body }) => {
    const event = body as TaskEvent
    const fields = {
      taskId: event.taskId,
      traceId: event.traceId,
      capability: event.capabilityId,
      providerId: event.providerId,
      state: event.state,
      ...(event.errorCode ? { errorCode: event.errorCode } : {}),
    }
    if (!isTerminal(event.state)) return logger.debug(fields, `task ${event.state}`)
    const done = { ...fields, durationMs: event.atMs - event.createdAtMs }
    // A line per task at info would flood a busy node: successes at debug, failures at warn.
    if (event.state === 'completed' || event.state === 'canceled')
      logger.debug(done, `task ${event.state}`)
    else logger.warn(done, `task ${event.state}`)
  })
}
