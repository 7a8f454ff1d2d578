import {
  authChallengeBytes,
  MeshError,
  signBytes,
  toBase64url,
  type KeyPair,
  type Role,
} from '@agentmesh/protocol'
import { mayRetryElsewhere, unreachable, type NodeUrls } from './node-urls.js'
import { SdkError } from './sdk-error.js'

/** Query parameters of a request; undefined ones are left out. */
export type Query = Record<string, string | number | boolean | undefined>

/** How a transport signs in again on a node that does not know its session. */
export interface SignInAgain {
  key: KeyPair
  roles: Role[] | undefined
}

/**
 * The HTTP side of a `Mesh`: the node URLs, the session token and the per-request time limit.
 * It turns the node's answers into values, `MeshError`s (errors the node reports) or `SdkError`s
 * (no usable answer), so the client's methods only name routes. When a node is unreachable it
 * moves to the next URL, sending again what is safe to repeat (see `mayRetryElsewhere`), and with
 * a key it signs in again on a node that refuses the session another node issued.
 */
export class MeshTransport {
  /** The bearer token sent with each request; empty once the session is closed. */
  token: string
  readonly #urls: NodeUrls
  readonly #timeoutMs: number
  readonly #signInAgain: SignInAgain | undefined
  /** The node that issued the token. */
  #tokenUrl: string

  constructor(urls: NodeUrls, token: string, timeoutMs: number, signInAgain?: SignInAgain) {
    this.#urls = urls
    this.token = token
    this.#timeoutMs = timeoutMs
    this.#signInAgain = signInAgain
    this.#tokenUrl = urls.current
  }

  /** The URL of the node in use. */
  get url(): string {
    return this.#urls.current
  }

  /**
   * Signs in with `key` (challenge → signature → session token) and answers the token; the
   * whole exchange starts again on the next node when one is unreachable.
   */
  async signIn(key: KeyPair, roles: Role[] | undefined): Promise<string> {
    for (let tried = 1; ; tried++) {
      try {
        const token = await this.#signInOnce(key, roles)
        this.#tokenUrl = this.url
        return token
      } catch (error) {
        if (tried >= this.#urls.size || unreachable(error) === undefined) throw error
        this.#urls.advance()
      }
    }
  }

  async #signInOnce(key: KeyPair, roles: Role[] | undefined): Promise<string> {
    const challenge = await this.#send<{ nonce: string; node: string }>(
      'POST',
      '/v1/auth/challenge',
      {
        did: key.did,
      },
    )
    const signature = toBase64url(
      signBytes(authChallengeBytes(challenge.node, challenge.nonce), key),
    )
    const issued = await this.#send<{ token: string }>('POST', '/v1/auth/token', {
      did: key.did,
      nonce: challenge.nonce,
      signature,
      ...(roles ? { roles } : {}),
    })
    return issued.token
  }

  /**
   * Sends one request, to the next node too when one is unreachable and the request is safe to
   * repeat. Answers the parsed body; throws a `MeshError` for an error the node reports and an
   * `SdkError` when there is no usable answer.
   */
  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    for (let tried = 1; ; tried++) {
      try {
        return await this.#sendSignedIn<T>(method, path, body, query)
      } catch (error) {
        if (tried >= this.#urls.size || !mayRetryElsewhere(error, method, path, body)) throw error
        this.#urls.advance()
      }
    }
  }

  /** Sends once; a node other than the token's issuer that refuses it gets a fresh sign-in. */
  async #sendSignedIn<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    try {
      return await this.#send<T>(method, path, body, query)
    } catch (error) {
      const again = this.#signInAgain
      if (!again || !this.token || this.#tokenUrl === this.url) throw error
      if (!(error instanceof MeshError) || error.status !== 401) throw error
      this.token = await this.#signInOnce(again.key, again.roles)
      this.#tokenUrl = this.url
      return this.#send<T>(method, path, body, query)
    }
  }

  async #send<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
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
    for (let tried = 1; ; tried++) {
      try {
        return await this.#openStreamOnce(path, lastEventId, signal)
      } catch (error) {
        if (tried >= this.#urls.size || !mayRetryElsewhere(error, 'GET', path, undefined))
          throw error
        this.#urls.advance()
      }
    }
  }

  async #openStreamOnce(
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
