import {
  authChallengeBytes,
  MeshError,
  signBytes,
  toBase64url,
  type KeyPair,
  type Role,
} from '@agentmesh/protocol'
import { SdkError } from './sdk-error.js'

/** Query parameters of a request; undefined ones are left out. */
export type Query = Record<string, string | number | boolean | undefined>

/**
 * The HTTP side of a `Mesh`: one node's base URL, the session token and the per-request time limit.
 * It turns the node's answers into values, `MeshError`s (errors the node reports) or `SdkError`s
 * (no usable answer), so the client's methods only name routes.
 */
export class MeshTransport {
  readonly url: string
  /** The bearer token sent with each request; empty once the session is closed. */
  token: string
  readonly #timeoutMs: number

  constructor(url: string, token: string, timeoutMs: number) {
    this.url = url
    this.token = token
    this.#timeoutMs = timeoutMs
  }

  /** Signs in with `key` (challenge → signature → session token) and answers the token. */
  async signIn(key: KeyPair, roles: Role[] | undefined): Promise<string> {
    const challenge = await this.request<{ nonce: string; node: string }>(
      'POST',
      '/v1/auth/challenge',
      {
        did: key.did,
      },
    )
    const signature = toBase64url(
      signBytes(authChallengeBytes(challenge.node, challenge.nonce), key),
    )
    const issued = await this.request<{ token: string }>('POST', '/v1/auth/token', {
      did: key.did,
      nonce: challenge.nonce,
      signature,
      ...(roles ? { roles } : {}),
    })
    return issued.token
  }

  /**
   * Sends one request to the node. Answers the parsed body; throws a `MeshError` for an error the
   * node reports and an `SdkError` when there is no usable answer.
   */
  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const url = new URL(this.url + path)
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value))
    }
    const headers: Record<string, string> = {}
    if (this.token) headers.authorization = `Bearer ${this.token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
    } catch (cause) {
      throw new SdkError('NETWORK', `Cannot reach ${url.origin}: ${(cause as Error).message}`, {
        cause,
      })
    }
    const text = await response.text()
    let parsed: unknown
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch (cause) {
      throw new SdkError(
        'BAD_RESPONSE',
        `${method} ${path} answered ${response.status} with non-JSON`,
        { cause },
      )
    }
    if (!response.ok) {
      throw MeshError.fromWire(
        (parsed as { error?: unknown } | undefined)?.error,
        `${method} ${path} failed`,
      )
    }
    return parsed as T
  }

  /**
   * Opens a server-sent event stream at `path`, resuming after `lastEventId` when given. Answers
   * the body, or undefined when `signal` aborted the connection; throws like `request` otherwise.
   */
  async openStream(
    path: string,
    lastEventId: number | undefined,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array> | undefined> {
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      authorization: `Bearer ${this.token}`,
    }
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId)
    let response: Response
    try {
      response = await fetch(this.url + path, { headers, signal })
    } catch (cause) {
      if (signal.aborted) return undefined
      throw new SdkError('NETWORK', `Cannot reach ${this.url}: ${(cause as Error).message}`, {
        cause,
      })
    }
    if (!response.ok || !response.body) {
      const text = await response.text()
      let wire: unknown
      try {
        wire = (JSON.parse(text) as { error?: unknown }).error
      } catch {
        wire = undefined
      }
      throw MeshError.fromWire(wire, `GET ${path} failed with ${response.status}`)
    }
    return response.body
  }
}
