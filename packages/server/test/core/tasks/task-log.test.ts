import { describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import type { Logger } from '../../../src/core/ports/logger.js'
import { logTaskEvents } from '../../../src/core/tasks/task-log.js'
import { TASK_EVENTS, type TaskEvent } from '../../../src/core/tasks/task-runner.js'

describe('logTaskEvents', () => {
  it('logs each transition with the task’s trace id: steps at debug, failures at warn', async () => {
    const lines: [string, object, string][] = []
    const logger: Logger = {
      debug: (fields, message) => lines.push(['debug', fields, message]),
      info: (fields, message) => lines.push(['info', fields, message]),
      warn: (fields, message) => lines.push(['warn', fields, message]),
      error: (fields, message) => lines.push(['error', fields, message]),
    }
    const bus = new MemoryBus()
    const stop = logTaskEvents(bus, logger)
    const event = (state: TaskEvent['state'], extra: Partial<TaskEvent> = {}): TaskEvent => ({
      taskId: 'task_1',
      capabilityId: 'text.echo',
      requester: 'did:key:zR',
      providerId: 'did:key:zP',
      state,
      atMs: 1500,
      createdAtMs: 1000,
      paidMicros: '0',
      currency: 'USD',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      ...extra,
    })
    await bus.publish(TASK_EVENTS, event('running'))
    await bus.publish(TASK_EVENTS, event('failed', { errorCode: 'PROVIDER_ERROR' }))
    await Promise.resolve()
    stop()
    await bus.publish(TASK_EVENTS, event('completed'))
    await Promise.resolve()
    expect(lines).toEqual([
      [
        'debug',
        expect.objectContaining({ taskId: 'task_1', traceId: '0af7651916cd43dd8448eb211c80319c' }),
        'task running',
      ],
      [
        'warn',
        expect.objectContaining({
          traceId: '0af7651916cd43dd8448eb211c80319c',
          errorCode: 'PROVIDER_ERROR',
          durationMs: 500,
        }),
        'task failed',
      ],
    ])
  })
})
