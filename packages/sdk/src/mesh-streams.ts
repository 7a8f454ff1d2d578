import type { RegistryChange, RegistryChangeType } from '@agentmesh/protocol'
import type { MeshTransport } from './mesh-transport.js'
import { readSse } from './sse.js'

/** One event of a stream, its data parsed as JSON. */
export interface StreamEvent {
  id?: string
  event: string
  data: unknown
}

/**
 * Follows registry changes (`GET /v1/agents/watch`), reconnecting with growing pauses from the
 * last event seen when the connection drops; `Mesh.watch` hands this out.
 */
export async function* watchRegistry(
  transport: MeshTransport,
  options: { lastEventId?: number; signal?: AbortSignal },
): AsyncGenerator<RegistryChange> {
  const controller = new AbortController()
  const abort = () => controller.abort()
  options.signal?.addEventListener('abort', abort, { once: true })
  let lastEventId = options.lastEventId
  let retryMs = 500
  try {
    while (!controller.signal.aborted) {
      const body = await transport.openStream('/v1/agents/watch', lastEventId, controller.signal)
      if (!body) return
      retryMs = 500
      try {
        for await (const message of readSse(body)) {
          if (message.id === undefined) continue
          const { agentId, at, ...data } = JSON.parse(message.data) as Record<string, unknown>
          lastEventId = Number(message.id)
          yield {
            id: lastEventId,
            type: message.event as RegistryChangeType,
            agentId: String(agentId),
            at: String(at),
            data,
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return
        if (!(error instanceof TypeError)) throw error // a dropped connection is a TypeError
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs))
      retryMs = Math.min(retryMs * 2, 10_000)
    }
  } finally {
    options.signal?.removeEventListener('abort', abort)
    controller.abort()
  }
}

/**
 * Reads one SSE stream at `path` once, without reconnecting, its data parsed as JSON where it is
 * JSON; `Mesh.stream` hands this out.
 */
export async function* streamEvents(
  transport: MeshTransport,
  path: string,
  options: { signal?: AbortSignal },
): AsyncGenerator<StreamEvent> {
  const controller = new AbortController()
  const abort = () => controller.abort()
  options.signal?.addEventListener('abort', abort, { once: true })
  try {
    const body = await transport.openStream(path, undefined, controller.signal)
    if (!body) return
    for await (const message of readSse(body)) {
      let data: unknown = message.data
      try {
        data = JSON.parse(message.data)
      } catch {
        // Not JSON: hand over the text.
      }
      yield {
        ...(message.id === undefined ? {} : { id: message.id }),
        event: message.event,
        data,
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', abort)
    controller.abort()
  }
}
