import { MeshError } from '@agentmesh/protocol'
import type { Span, SpanAttributes, SpanParent, Tracer } from './ports/tracer.js'

const noopSpan: Span = {
  context: undefined,
  setAttributes() {},
  fail() {},
  end() {},
}

/** The tracer of a service built without one: spans cost nothing and carry no ids. */
export const noopTracer: Tracer = {
  startSpan: () => noopSpan,
}

/**
 * Runs `work` inside a span: ends it however `work` ends, and marks it failed with the error's
 * catalogue code when `work` throws.
 */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: { parent?: SpanParent | undefined; attributes?: SpanAttributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, {
    ...(options.parent ? { parent: options.parent } : {}),
    ...(options.attributes ? { attributes: options.attributes } : {}),
  })
  try {
    return await work(span)
  } catch (error) {
    const code = error instanceof MeshError ? error.code : 'INTERNAL'
    span.fail(code, (error as Error)?.message ?? String(error))
    throw error
  } finally {
    span.end()
  }
}
