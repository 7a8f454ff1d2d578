import {
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Span as OtelSpan,
  type Tracer as OtelApiTracer,
} from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { randomFillSync } from 'node:crypto'
import type { Span, SpanAttributes, SpanParent, Tracer } from '../../core/ports/tracer.js'

export interface OtelTracerOptions {
  serviceName: string
  serviceVersion: string
  /** The node's DID, as `service.instance.id`. */
  instanceId: string
  /**
   * Where to export: an OTLP/HTTP endpoint (`http://collector:4318`, to which `/v1/traces` is
   * added, or a full `…/v1/traces` URL). Without it spans get ids (for logs and tasks) but go nowhere.
   */
  otlpUrl?: string | undefined
  /** How long spans wait to be batched into one export. */
  exportDelayMs?: number
}

/** The OTLP/HTTP traces URL for an endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT is read. */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint)
  if (!url.pathname.endsWith('/v1/traces'))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`
  return url.toString()
}

class OtelSpanAdapter implements Span {
  readonly #span: OtelSpan
  readonly context: SpanParent | undefined

  constructor(span: OtelSpan) {
    this.#span = span
    const { traceId, spanId } = span.spanContext()
    this.context = { traceId, spanId }
  }

  setAttributes(attributes: SpanAttributes): void {
    this.#span.setAttributes(attributes)
  }

  fail(code: string, message: string): void {
    this.#span.setAttribute('agentmesh.error.code', code)
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${message}` })
  }

  end(): void {
    this.#span.end()
  }
}

/** Random bytes as lowercase hex, drawn from a pool refilled 4 KiB at a time. */
const pool = Buffer.alloc(4096)
let poolAt = pool.length
function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool)
    poolAt = 0
  }
  poolAt += bytes
  return pool.toString('hex', poolAt - bytes, poolAt)
}

/**
 * A span that only has ids: what a node that exports nowhere needs, for its logs and tasks. The
 * OpenTelemetry SDK would build a whole span per call only to drop it.
 */
class IdOnlySpan implements Span {
  readonly context: SpanParent
  constructor(parent: SpanParent | undefined) {
    this.context = { traceId: parent?.traceId ?? randomHex(16), spanId: randomHex(8) }
  }
  setAttributes(): void {}
  fail(): void {}
  end(): void {}
}

/**
 * The `Tracer` port on OpenTelemetry: a tracer provider of the node's own (no global
 * registration), exporting in batches over OTLP/HTTP (JSON) when given a URL. `stop()` flushes.
 */
export class OtelTracer implements Tracer {
  readonly #provider: TracerProvider
  readonly #tracer: OtelApiTracer
  readonly #exporting: boolean

  constructor(options: OtelTracerOptions) {
    this.#exporting = options.otlpUrl !== undefined
    this.#provider = new TracerProvider({
      resource: resourceFromAttributes({
        'service.name': options.serviceName,
        'service.version': options.serviceVersion,
        'service.instance.id': options.instanceId,
      }),
      spanProcessors: options.otlpUrl
        ? [
            new BatchSpanProcessor({
              exporter: new OTLPTraceExporter({ url: tracesUrl(options.otlpUrl) }),
              scheduledDelayMillis: options.exportDelayMs ?? 5000,
            }),
          ]
        : [],
    })
    this.#tracer = this.#provider.getTracer(options.serviceName, options.serviceVersion)
  }

  startSpan(
    name: string,
    options: { parent?: SpanParent; attributes?: SpanAttributes } = {},
  ): Span {
    if (!this.#exporting) return new IdOnlySpan(options.parent)
    const context = options.parent
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: options.parent.traceId,
          spanId: options.parent.spanId,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        })
      : ROOT_CONTEXT
    const span = this.#tracer.startSpan(
      name,
      options.attributes ? { attributes: options.attributes } : {},
      context,
    )
    return new OtelSpanAdapter(span)
  }

  /** Exports what is buffered now. */
  flush(): Promise<void> {
    return this.#provider.forceFlush()
  }

  /** Exports what is buffered and stops exporting. */
  stop(): Promise<void> {
    return this.#provider.shutdown()
  }
}
