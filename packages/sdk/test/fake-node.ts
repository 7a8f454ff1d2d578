import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  authChallengeBytes,
  fromBase64url,
  generateKeyPair,
  toBase64url,
  randomBytes,
  verifyBytes,
  type NodeToAgentFrame,
} from '@agentmesh/protocol'
import { WebSocketServer, type WebSocket } from 'ws'

/** Items as they come, with a wait for the next one that matches. */
export class Inbox<T> {
  readonly all: T[] = []
  readonly #taken = new Set<number>()
  #waiters: { match: (item: T) => boolean; resolve: (item: T) => void }[] = []

  push(item: T): void {
    this.all.push(item)
    const index = this.all.length - 1
    const waiter = this.#waiters.find((w) => w.match(item))
    if (!waiter) return
    this.#taken.add(index)
    this.#waiters = this.#waiters.filter((w) => w !== waiter)
    waiter.resolve(item)
  }

  /** The first item not taken yet that matches, now or once it comes. */
  next(match: (item: T) => boolean = () => true): Promise<T> {
    const index = this.all.findIndex((item, i) => !this.#taken.has(i) && match(item))
    if (index >= 0) {
      this.#taken.add(index)
      return Promise.resolve(this.all[index]!)
    }
    return new Promise((resolve) => this.#waiters.push({ match, resolve }))
  }
}

/** One HTTP request the fake node received. */
export interface Received {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  body: unknown
}

/** Answers one route; the response is the fake node's to write. */
export type Route = (request: Received, response: ServerResponse) => void | Promise<void>

/** Writes a JSON answer. */
export function json(response: ServerResponse, status: number, body?: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(body === undefined ? undefined : JSON.stringify(body))
}

/** A frame an agent sent, as parsed JSON. */
export type AgentFrame = { type: string } & Record<string, unknown>

/** An agent's WebSocket, as the fake node sees it. */
export class AgentLink {
  readonly frames = new Inbox<AgentFrame>()
  /** The hello frame's DID, and whether its challenge signature verified against it. */
  did: string | undefined
  verified = false
  readonly closed: Promise<void>
  readonly #socket: WebSocket

  constructor(socket: WebSocket) {
    this.#socket = socket
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  send(frame: NodeToAgentFrame): void {
    this.#socket.send(JSON.stringify(frame))
  }

  /** Drops the connection without a closing handshake, as a failed network would. */
  drop(): void {
    this.#socket.terminate()
  }

  /** The next frame of `type` (for `taskId`, when given). */
  next(type: string, taskId?: string): Promise<AgentFrame> {
    return this.frames.next((f) => f.type === type && (!taskId || f.taskId === taskId))
  }
}

/**
 * A node in the test process that speaks just enough of the agentmesh wire for the SDK: sign-in
 * (challenge → token), agent registration, the agent WebSocket handshake (hello → challenge →
 * auth → ready), and whatever routes a test adds. It records every request and frame.
 */
export class FakeNode {
  readonly key = generateKeyPair()
  readonly requests = new Inbox<Received>()
  /** Agent connections that completed the handshake. */
  readonly agents = new Inbox<AgentLink>()
  /** Tokens issued, by DID. */
  readonly tokens = new Map<string, string>()
  /** How many WebSocket connections to close at once, before any frame. */
  refuseConnections = 0
  readonly #routes = new Map<string, Route>()
  readonly #server = createServer((req, res) => void this.#answer(req, res))
  readonly #wss = new WebSocketServer({ noServer: true })
  #issued = 0

  private constructor() {
    this.route('POST', '/v1/auth/challenge', (_request, response) =>
      json(response, 200, { nonce: this.#nonce(), node: this.key.did }),
    )
    this.route('POST', '/v1/auth/token', (request, response) => {
      const { did, nonce, signature } = request.body as Record<string, string>
      if (!this.#verify(did!, nonce!, signature!)) {
        return json(response, 401, {
          error: { code: 'SIGNATURE_INVALID', message: 'Signature does not verify' },
        })
      }
      json(response, 200, { token: this.#issue(did!) })
    })
    this.route('POST', '/v1/agents', (request, response) => json(response, 201, request.body))
    this.route('POST', '/v1/auth/revoke', (_request, response) => json(response, 204))
    this.#server.on('upgrade', (request, socket, head) => {
      if (request.url !== '/v1/agents/connect') return socket.destroy()
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#connect(ws))
    })
  }

  static async start(): Promise<FakeNode> {
    const node = new FakeNode()
    await new Promise<void>((resolve) => node.#server.listen(0, '127.0.0.1', resolve))
    return node
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo
    return `http://127.0.0.1:${port}`
  }

  /** Answers `METHOD path` (the path without its query) with `route`, replacing any before. */
  route(method: string, path: string, route: Route): void {
    this.#routes.set(`${method} ${path}`, route)
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate()
    await new Promise((resolve) => this.#wss.close(resolve))
    this.#server.closeAllConnections()
    await new Promise((resolve) => this.#server.close(resolve))
  }

  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url ?? '/', this.url)
    const received: Received = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    }
    this.requests.push(received)
    const route = this.#routes.get(`${received.method} ${received.path}`)
    if (!route) {
      return json(res, 404, {
        error: { code: 'ROUTE_NOT_FOUND', message: `No route ${received.method} ${received.path}` },
      })
    }
    await route(received, res)
  }

  #connect(socket: WebSocket): void {
    if (this.refuseConnections > 0) {
      this.refuseConnections--
      socket.close(1013, 'try again later')
      return
    }
    const link = new AgentLink(socket)
    let nonce: string | undefined
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as AgentFrame
      link.frames.push(frame)
      if (frame.type === 'hello') {
        link.did = frame.did as string
        nonce = this.#nonce()
        link.send({ type: 'challenge', nonce, node: this.key.did })
      } else if (frame.type === 'auth' && link.did && nonce) {
        link.verified = this.#verify(link.did, nonce, frame.signature as string)
        if (!link.verified) {
          link.send({
            type: 'error',
            error: {
              code: 'SIGNATURE_INVALID',
              message: 'Signature does not verify',
              retryable: false,
            },
          })
          return socket.close(4001, 'SIGNATURE_INVALID')
        }
        link.send({ type: 'ready', did: link.did, token: this.#issue(link.did) })
        this.agents.push(link)
      }
    })
  }

  #nonce(): string {
    return toBase64url(randomBytes(16))
  }

  #issue(did: string): string {
    const token = `token-${++this.#issued}`
    this.tokens.set(did, token)
    return token
  }

  #verify(did: string, nonce: string, signature: string): boolean {
    return verifyBytes(fromBase64url(signature), authChallengeBytes(this.key.did, nonce), did)
  }
}
