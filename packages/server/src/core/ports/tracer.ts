/** Span attributes: flat, as OpenTelemetry takes them. */
export type SpanAttributes = Record<string, string | number | boolean>

/** Where a span hangs in its trace: W3C trace context ids, lower-case hex. */
export interface SpanParent {
  /** 32 hex digits. */
  traceId: string
  /** 16 hex digits. */
  spanId: string
}

/** One timed piece of work in a trace. */
export interface Span {
  /** This span's ids, for children and for logs; undefined when nothing is traced. */
  readonly context: SpanParent | undefined
  setAttributes(attributes: SpanAttributes): void
  /** Marks the span failed, with the catalogue code and the message. */
  fail(code: string, message: string): void
  end(): void
}

/**
 * Tracing, so that the core can say what it does without knowing who listens (OpenTelemetry at
 * the edge). Spans start with a parent's ids, not an ambient context, since a task outlives calls.
 */
export interface Tracer {
  startSpan(name: string, options?: { parent?: SpanParent; attributes?: SpanAttributes }): Span
}
