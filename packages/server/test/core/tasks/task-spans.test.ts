import { describe, expect, it } from 'vitest'
import type { Span, SpanAttributes, SpanParent, Tracer } from '../../../src/core/ports/tracer.js'
import { TaskSpans } from '../../../src/core/tasks/task-spans.js'
import type { Task } from '../../../src/core/tasks/task-types.js'

interface Recorded {
  name: string
  parent: SpanParent | undefined
  context: SpanParent
  attributes: SpanAttributes
  failed?: string
  ended: boolean
}

/** A tracer that keeps what it is told, with counting ids. */
function recordingTracer(): { tracer: Tracer; spans: Recorded[] } {
  const spans: Recorded[] = []
  let n = 0
  const tracer: Tracer = {
    startSpan(name, options = {}) {
      const id = (++n).toString(16).padStart(16, '0')
      const record: Recorded = {
        name,
        parent: options.parent,
        context: { traceId: options.parent?.traceId ?? id.padStart(32, '0'), spanId: id },
        attributes: { ...options.attributes },
        ended: false,
      }
      spans.push(record)
      const span: Span = {
        context: record.context,
        setAttributes: (attributes) => Object.assign(record.attributes, attributes),
        fail: (code) => (record.failed = code),
        end: () => (record.ended = true),
      }
      return span
    },
  }
  return { tracer, spans }
}

const task = (extra: Partial<Task> = {}) =>
  ({ id: 'task_1', capabilityId: 'text.echo', state: 'pending', error: null, ...extra }) as Task

describe('TaskSpans', () => {
  it('hangs attempts and settlement under the dispatch span, and the dispatch under the submit span', async () => {
    const { tracer, spans } = recordingTracer()
    const taskSpans = new TaskSpans(tracer)
    const submit = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }
    const t = task({ traceId: submit.traceId, traceSpanId: submit.spanId })
    await taskSpans.dispatch(t, false, async () => {
      await taskSpans.run(t, 'task.attempt', { 'agentmesh.attempt': 1 }, () => Promise.resolve())
      await expect(
        taskSpans.run(t, 'task.settle', {}, () => Promise.reject(new Error('store down'))),
      ).rejects.toThrow('store down')
      return { ...t, state: 'failed', error: { code: 'TIMEOUT', message: 'late', retryable: true } }
    })
    const [dispatch, attempt, settle] = spans
    expect(dispatch).toMatchObject({
      name: 'task.dispatch',
      parent: submit,
      attributes: { 'agentmesh.task.state': 'failed', 'agentmesh.task.resumed': false },
      failed: 'TIMEOUT',
      ended: true,
    })
    expect(attempt).toMatchObject({ name: 'task.attempt', parent: dispatch!.context, ended: true })
    expect(settle).toMatchObject({ parent: dispatch!.context, failed: 'INTERNAL', ended: true })
    // Once the dispatch ends, later spans (a stale cancel's) hang from the submit span again.
    expect(taskSpans.parent(t)).toEqual(submit)
  })

  it('starts spans without a parent for a task that has no trace', () => {
    const { tracer, spans } = recordingTracer()
    new TaskSpans(tracer).start(task(), 'task.verify').end()
    expect(spans[0]).toMatchObject({
      parent: undefined,
      attributes: { 'agentmesh.task.id': 'task_1' },
    })
  })
})
