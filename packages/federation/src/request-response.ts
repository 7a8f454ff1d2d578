import { MeshError, type WireError } from '@agentmesh/protocol'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'

/** One answer frame: bytes, or an error in the catalogue's wire form. */
type Frame = { ok: true; body: unknown } | { ok: false; error: WireError }

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

const encode = (frame: Frame): Uint8Array => encoder.encode(JSON.stringify(frame))

/** Answers a request: its JSON body, or a MeshError for a refusal the peer may act on. */
export type RequestHandler = (body: unknown, remote: PeerId, stream: Stream) => Promise<unknown>

/**
 * Serves a request/response stream protocol: one length-prefixed JSON frame each way. A request
 * over `maxBytes` is refused with PAYLOAD_TOO_LARGE before it is read whole or parsed.
 */
export async function serveProtocol(
  libp2p: Libp2p,
  protocol: string,
  maxBytes: number,
  handler: RequestHandler,
  onError: (error: unknown) => void,
): Promise<void> {
  await libp2p.handle(protocol, async (stream, connection) => {
    const lp = lpStream(stream, { maxDataLength: maxBytes })
    let frame: Frame
    try {
      let body: unknown
      try {
        const bytes = await lp.read({ signal: AbortSignal.timeout(30_000) })
        body = JSON.parse(decoder.decode(bytes.subarray()))
      } catch (cause) {
        const tooLarge = (cause as Error).name === 'InvalidDataLengthError'
        throw tooLarge
          ? new MeshError('PAYLOAD_TOO_LARGE', `Stream message is larger than ${maxBytes} bytes`)
          : new MeshError('INVALID_INPUT', 'Stream message is not one JSON frame', { cause })
      }
      frame = { ok: true, body: await handler(body, connection.remotePeer, stream) }
    } catch (error) {
      if (!(error instanceof MeshError)) onError(error)
      const wire =
        error instanceof MeshError
          ? error.toWire()
          : { code: 'INTERNAL' as const, message: 'The peer failed', retryable: true }
      frame = { ok: false, error: wire }
    }
    try {
      await lp.write(encode(frame))
      await stream.close()
    } catch {
      stream.abort(new Error('answer could not be sent'))
    }
  })
}

/**
 * Sends one JSON request to a peer and reads its answer, within `signal`; an answer over
 * `maxBytes` or a broken stream is FEDERATION_PEER_UNREACHABLE, a refusal the peer's MeshError.
 */
export async function requestPeer(
  libp2p: Libp2p,
  peer: PeerId,
  protocol: string,
  body: unknown,
  options: { signal: AbortSignal; maxBytes: number },
): Promise<unknown> {
  let frame: Frame
  let stream: Stream | undefined
  try {
    stream = await libp2p.dialProtocol(peer, protocol, { signal: options.signal })
    const lp = lpStream(stream, { maxDataLength: options.maxBytes })
    await lp.write(encoder.encode(JSON.stringify(body)), { signal: options.signal })
    const answer = await lp.read({ signal: options.signal })
    frame = JSON.parse(decoder.decode(answer.subarray())) as Frame
    await stream.close().catch(() => {})
  } catch (cause) {
    stream?.abort(new Error('request ended'))
    if (options.signal.aborted) throw options.signal.reason ?? cause
    throw new MeshError(
      'FEDERATION_PEER_UNREACHABLE',
      `Peer "${peer.toString()}" did not answer on ${protocol}: ${(cause as Error).message}`,
      { cause },
    )
  }
  if (frame.ok) return frame.body
  throw MeshError.fromWire(frame.error)
}
