import type { Span, SpanAttributes, SpanParent, Tracer } from '../ports/tracer.js'
import { inSpan } from '../tracing.js'
import type { Task } from './task-types.js'

/**
 * The spans of a task's life: `task.submit` (the root, with `task.reserve`), then `task.dispatch`
 * to the final state, with `task.attempt`, `task.verify` and `task.settle` inside it. A task resumed
 * after a restart gets a new dispatch span under its stored submit span.
 */
export class TaskSpans {
  readonly #tracer: Tracer
  /** The open `task.dispatch` span of each task running here. */
  readonly #dispatching = new Map<string, SpanParent>()

  constructor(tracer: Tracer) {
    this.#tracer = tracer
  }

  /** Where a task's next span hangs: its running dispatch span, else its submit span. */
  parent(task: Task): SpanParent | undefined {
    const running = this.#dispatching.get(task.id)
    if (running) return running
    return task.traceId && task.traceSpanId
      ? { traceId: task.traceId, spanId: task.traceSpanId }
      : undefined
  }

  /** Starts a span of the task's (the caller ends it). */
  start(task: Task, name: string, attributes: SpanAttributes = {}): Span {
    const parent = this.parent(task)
    return this.#tracer.startSpan(name, {
      ...(parent ? { parent } : {}),
      attributes: { 'agentmesh.task.id': task.id, ...attributes },
    })
  }

  /** Runs `work` in a span of the task's, failed if `work` throws. */
  run<T>(
    task: Task,
    name: string,
    attributes: SpanAttributes,
    work: (span: Span) => Promise<T>,
  ): Promise<T> {
    const options = {
      parent: this.parent(task),
      attributes: { 'agentmesh.task.id': task.id, ...attributes },
    }
    return inSpan(this.#tracer, name, options, work)
  }

  /** Runs the task's dispatch (`work`, to its final state) inside a `task.dispatch` span. */
  async dispatch(task: Task, resumed: boolean, work: () => Promise<Task>): Promise<Task> {
    const span = this.start(task, 'task.dispatch', {
      'agentmesh.capability': task.capabilityId,
      'agentmesh.task.resumed': resumed,
    })
    if (span.context) this.#dispatching.set(task.id, span.context)
    try {
      const done = await work()
      span.setAttributes({ 'agentmesh.task.state': done.state })
      if (done.error) span.fail(done.error.code, done.error.message)
      return done
    } catch (error) {
      span.fail('INTERNAL', (error as Error)?.message ?? String(error))
      throw error
    } finally {
      this.#dispatching.delete(task.id)
      span.end()
    }
  }
}
