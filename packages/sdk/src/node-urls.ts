import { MeshError } from '@agentmesh/protocol'
import { SdkError } from './sdk-error.js'

/** One node's URL, or several nodes of a cluster in order of preference. */
export type NodeUrlList = string | readonly string[]

/** The most URLs a client keeps: a cluster's nodes, or those a draining node names. */
const MAX_URLS = 64

function normalize(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined
  return url.replace(/\/+$/, '')
}

/**
 * The node URLs a `Mesh` or an agent may use and the one in use now. A client moves to the next
 * when its node is unreachable or draining, so a cluster's nodes serve it in turn; URLs a
 * draining node names come first, since they are the nodes still up.
 */
export class NodeUrls {
  readonly #urls: string[]
  #preferred: string[] = []
  #current: string

  constructor(urls: NodeUrlList) {
    const list = typeof urls === 'string' ? [urls] : [...urls]
    if (list.length === 0 || list.length > MAX_URLS)
      throw new SdkError('BAD_OPTIONS', `Give 1 to ${MAX_URLS} node URLs, not ${list.length}`)
    const normalized = list.map((url) => {
      const base = normalize(url)
      if (!base) throw new SdkError('BAD_OPTIONS', `Node URL "${url}" is not an http(s) URL`)
      return base
    })
    this.#urls = [...new Set(normalized)]
    this.#current = this.#urls[0]!
  }

  /** The URL in use. */
  get current(): string {
    return this.#current
  }

  /** How many distinct URLs a full round tries. */
  get size(): number {
    return new Set([...this.#urls, ...this.#preferred]).size
  }

  /** Moves to the next URL (a preferred one first) and answers it. */
  advance(): string {
    const preferred = this.#preferred.shift()
    if (preferred !== undefined) {
      this.#current = preferred
      return preferred
    }
    // From a URL off the list (one a draining node named), the list starts again at its first.
    const index = (this.#urls.indexOf(this.#current) + 1) % this.#urls.length
    this.#current = this.#urls[index]!
    return this.#current
  }

  /** Makes `url` the one in use, when it is on the list. */
  moveTo(url: string): void {
    if (this.#urls.includes(url)) this.#current = url
  }

  /**
   * Remembers the URLs a draining node told the client to move to: the next `advance` calls try
   * them first. Anything that is not an http(s) URL, and the URL in use, is left out.
   */
  prefer(urls: readonly string[]): void {
    const usable = urls
      .slice(0, MAX_URLS)
      .map(normalize)
      .filter((url): url is string => url !== undefined && url !== this.#current)
    this.#preferred = [...new Set(usable)]
  }
}

/** How long to wait before reconnect attempt `failures` (0 first): 200 ms doubling to 10 s, jittered. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(10_000, 200 * 2 ** failures) * (0.5 + Math.random() / 2)
}

const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])

/**
 * Why a request found no node: `refused` (no connection was made, so nothing was sent), `reset`
 * (the connection broke, or the node answered 503 UNAVAILABLE because it is stopping), or
 * undefined for any other outcome, which another node would not change.
 */
export function unreachable(error: unknown): 'refused' | 'reset' | undefined {
  if (error instanceof MeshError) return error.code === 'UNAVAILABLE' ? 'reset' : undefined
  if (!(error instanceof SdkError) || error.code !== 'NETWORK') return undefined
  let cause: unknown = error.cause
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === 'string' && REFUSED.has(code)) return 'refused'
    if (typeof code === 'string' && RESET.has(code)) return 'reset'
    cause = cause.cause
  }
  return undefined
}

/**
 * Whether a request may be sent again to another node: always when no connection was made;
 * after a broken connection or a 503 only when repeating it does no harm (a read, a sign-in
 * challenge, a task submitted with an idempotency key).
 */
export function mayRetryElsewhere(
  error: unknown,
  method: string,
  path: string,
  body: unknown,
): boolean {
  const why = unreachable(error)
  if (why === undefined) return false
  if (why === 'refused' || method === 'GET' || method === 'HEAD') return true
  if (method !== 'POST') return false
  if (path === '/v1/auth/challenge') return true
  const key = (body as { idempotencyKey?: unknown } | undefined)?.idempotencyKey
  return path === '/v1/tasks' && typeof key === 'string' && key !== ''
}
