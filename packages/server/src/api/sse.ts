import type { FastifyInstance, FastifyReply } from 'fastify'

/** An open Server-Sent Events stream. */
export interface SseStream {
  send(event: { id?: string | number; event?: string; data: unknown }): void
  close(): void
  /** Resolves when the client goes away or the stream is closed. */
  closed: Promise<void>
}

/** Opens SSE streams that the server closes when it stops (a stream would otherwise hold it open). */
export type SseOpener = (reply: FastifyReply, options?: { retryMs?: number }) => SseStream

/** An opener for the routes of `app`: every stream it opens is closed by the server's `preClose`. */
export function sseStreams(app: FastifyInstance): SseOpener {
  const open = new Set<SseStream>()
  app.addHook('preClose', (done) => {
    for (const stream of [...open]) stream.close()
    done()
  })
  return (reply, options) => {
    const stream = openSse(reply, options)
    open.add(stream)
    void stream.closed.then(() => open.delete(stream))
    return stream
  }
}

/**
 * Turns a reply into an SSE stream (`text/event-stream`), with a comment line every
 * `keepAliveMs` so proxies keep it open.
 */
export function openSse(
  reply: FastifyReply,
  options: { keepAliveMs?: number; retryMs?: number } = {},
): SseStream {
  reply.hijack()
  const raw = reply.raw
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  })
  raw.write(options.retryMs === undefined ? ': connected\n\n' : `retry: ${options.retryMs}\n\n`)
  let open = true
  let onClosed = () => {}
  const closed = new Promise<void>((resolve) => (onClosed = resolve))
  const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000)
  keepAlive.unref()
  const finish = () => {
    if (!open) return
    open = false
    clearInterval(keepAlive)
    raw.end()
    onClosed()
  }
  // The response's close, not the request's: a request may count as closed once it has been read.
  raw.on('close', finish)
  return {
    send({ id, event, data }) {
      if (!open) return
      let text = ''
      if (id !== undefined) text += `id: ${id}\n`
      if (event) text += `event: ${event}\n`
      text += `data: ${JSON.stringify(data)}\n\n`
      raw.write(text)
    },
    close: finish,
    closed,
  }
}
