import { describe, expect, it } from 'vitest'
import { OtelTracer, tracesUrl } from '../../../src/adapters/tracing/otel-tracer.js'

describe('OtelTracer', () => {
  it('reads the OTLP endpoint as OTEL_EXPORTER_OTLP_ENDPOINT is read', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces')
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces')
    expect(tracesUrl('https://otel.example/base/')).toBe('https://otel.example/base/v1/traces')
    expect(tracesUrl('http://collector:4318/v1/traces')).toBe('http://collector:4318/v1/traces')
  })

  it('gives spans W3C ids without exporting, and keeps a child in its parent’s trace', async () => {
    const tracer = new OtelTracer({
      serviceName: 'agentmesh',
      serviceVersion: '0',
      instanceId: 'x',
    })
    const root = tracer.startSpan('task.submit', { attributes: { 'agentmesh.task.id': 't' } })
    expect(root.context?.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(root.context?.spanId).toMatch(/^[0-9a-f]{16}$/)
    const child = tracer.startSpan('task.dispatch', { parent: root.context! })
    expect(child.context?.traceId).toBe(root.context?.traceId)
    expect(child.context?.spanId).not.toBe(root.context?.spanId)
    child.fail('TIMEOUT', 'Provider did not answer')
    child.end()
    root.end()
    const ids = new Set(Array.from({ length: 5000 }, () => tracer.startSpan('s').context!.spanId))
    expect(ids.size).toBe(5000)
    await tracer.stop()
  })
})
