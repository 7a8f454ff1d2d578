import {
  authChallengeBytes,
  MeshError,
  randomBytes,
  signBytes,
  signJws,
  toBase64url,
  type AgentCard,
  type AgentToNodeFrame,
  type Capability,
  type KeyPair,
  type IntentFrame,
  type Money,
  type NodeToAgentFrame,
  type TaskFrame,
} from '@agentmesh/protocol'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import WebSocket from 'ws'
import { taskKnowledge, type TaskKnowledge } from './agent-knowledge.js'
import { registerCard } from './agent-registration.js'
import { Mesh } from './mesh.js'
import { NodeUrls, reconnectDelayMs, type NodeUrlList } from './node-urls.js'
import { SdkError } from './sdk-error.js'
import type { SubmitOptions } from './task-types.js'

/** What a handler gets besides its input. */
export interface TaskContext {
  taskId: string
  attempt: number
  capabilityId: string
  deadline: Date
  /** How deep this task is in a chain of agent-to-agent calls. */
  depth: number
  /** The most calls made for this task may spend. */
  budget: Money
  /** Aborted when the task is canceled, times out, or the connection drops. */
  signal: AbortSignal
  /** Reports progress (0 to 1) and an optional message to the requester. */
  progress(fraction?: number, message?: string): void
  /**
   * Reports how many units the call used (a whole number, 0 or more), for a `per_unit`
   * capability: the requester pays the unit price times this many (one when never reported),
   * within what it reserved. The last report before the handler returns counts.
   */
  units(count: number): void
  /**
   * Asks the requester for more input and waits for the answer (the task is `input_required`
   * meanwhile; its clock stops). The node checks the answer against `schema` before handing it
   * over. Rejects with `INPUT_TIMEOUT`-like aborts when nobody answers within `timeoutMs` (capped
   * by the node) — the task then ends, its reservation given back.
   */
  requestInput<T = unknown>(
    prompt: string,
    schema?: Record<string, unknown>,
    options?: { timeoutMs?: number },
  ): Promise<T>
  /** The knowledge graph on this task's behalf: facts read here count the task's outcome. */
  knowledge: TaskKnowledge
  /** Calls another capability on this task's behalf: its budget and deadline pass down. */
  call<T = unknown>(
    capability: string,
    input: unknown,
    options?: Partial<Omit<SubmitOptions, 'parentTaskId'>>,
  ): Promise<T>
}

/** A capability with the function that serves it; type `I` and `O` to check the handler. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped handlers take and give any JSON
export interface AgentCapability<I = any, O = any> extends Capability {
  handler: (input: I, ctx: TaskContext) => O | Promise<O>
}

/** A request for offers, as an agent sees it. */
export type IntentRequest = Omit<IntentFrame, 'type'>

/** An agent's answer to an intent: a price and how long it holds; `null` declines. */
export type OfferAnswer = { price: string; validForMs?: number } | null

export interface AgentDefinition {
  /** Answers intents; by default, quotes the capability's list price for a minute. */
  onIntent?: (intent: IntentRequest) => OfferAnswer | Promise<OfferAnswer>
  name: string
  description: string
  capabilities: AgentCapability[]
  /** Tasks taken at once (default 4). */
  concurrency?: number
  /** Card version; by default the time of `connect`, so each start supersedes the last. */
  version?: number
  homepage?: string
}

export interface ConnectOptions {
  key: KeyPair
  /** Reconnect after a drop (default true), with backoff from 200 ms to 10 s. */
  reconnect?: boolean
  /** Called for errors the agent survives (a dropped connection, a failed handler). */
  onError?: (error: Error) => void
  /** Called each time the node takes the agent: at first connect and after every reconnect. */
  onReady?: () => void
}

const wsUrl = (url: string) => `${url.replace(/^http/, 'ws').replace(/\/+$/, '')}/v1/agents/connect`

/**
 * An agent: its card, its handlers, and a connection to a node that it keeps up by itself.
 * Outputs are checked against the capability's output schema before they are sent.
 */
export class Agent {
  readonly definition: AgentDefinition
  readonly #validators = new Map<string, ValidateFunction>()
  /** Tasks running now, each with the connection that brought it (its reports go back there). */
  readonly #running = new Map<string, { controller: AbortController; socket: WebSocket }>()
  /** Connections whose node is draining: closed once their tasks have reported. */
  readonly #draining = new Set<WebSocket>()
  #urls: NodeUrls | undefined
  /** Handlers waiting for their requester's answer, by `taskId#attempt`. */
  readonly #asking = new Map<string, (input: unknown, deadline: string) => void>()
  #socket: WebSocket | undefined
  #mesh: Mesh | undefined
  #closing = false
  #heartbeat: NodeJS.Timeout | undefined
  #reconnectTimer: NodeJS.Timeout | undefined

  constructor(definition: AgentDefinition) {
    this.definition = definition
    const ajv = new Ajv2020({ strict: false, validateFormats: false })
    for (const capability of definition.capabilities) {
      this.#validators.set(capability.id, ajv.compile(capability.output))
    }
  }

  /** The agent card for a key, without handlers. */
  card(did: string, version = this.definition.version ?? Date.now()): AgentCard {
    const { name, description, concurrency, homepage } = this.definition
    return {
      did,
      name,
      description,
      version,
      capabilities: this.definition.capabilities.map(
        ({ handler: _handler, ...capability }) => capability,
      ),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(homepage === undefined ? {} : { homepage }),
    }
  }

  /** Whether the agent is signed in on a live connection. */
  get connected(): boolean {
    return this.#mesh !== undefined && this.#socket?.readyState === WebSocket.OPEN
  }

  /**
   * Registers the card (signed) and connects; resolves once a node has taken the agent. Given
   * several URLs (a cluster's nodes), it connects to the first that takes it, and later moves to
   * the next when its connection drops or its node drains (to the nodes the draining node names
   * first), signing in again there and registering the card where the node does not know it.
   */
  async connect(urls: NodeUrlList, options: ConnectOptions): Promise<void> {
    this.#closing = false
    const nodes = new NodeUrls(urls)
    this.#urls = nodes
    nodes.moveTo(await registerCard(urls, this.card(options.key.did), options.key))
    for (let tried = 1; ; tried++) {
      try {
        return await this.#open(options, 'first')
      } catch (error) {
        if (tried >= nodes.size || !(error instanceof SdkError)) throw error
        nodes.advance()
      }
    }
  }

  /** Registers the card on the node in use, which did not know it, then connects there. */
  async #registerHere(options: ConnectOptions): Promise<void> {
    await registerCard(this.#urls!.current, this.card(options.key.did), options.key)
    await this.#open(options, 'registered')
  }

  /** Connects again after `delayMs`, to the next node (`advance`) or the same one. */
  #reconnect(options: ConnectOptions, failures: number, delayMs: number, advance: boolean): void {
    clearTimeout(this.#reconnectTimer)
    this.#reconnectTimer = setTimeout(() => {
      if (this.#closing) return
      if (advance) this.#urls!.advance()
      this.#open(options, failures).catch((error: Error) => options.onError?.(error))
    }, delayMs)
  }

  /**
   * Opens one connection to the node in use. `first`: the caller hears of a failure and no
   * reconnect follows; `registered`: the card was just registered there; a number: how many
   * reconnect attempts failed in a row.
   */
  #open(options: ConnectOptions, attempt: 'first' | 'registered' | number): Promise<void> {
    const url = this.#urls!.current
    const failures = typeof attempt === 'number' ? attempt : 0
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl(url))
      this.#socket = socket
      let ready = false
      let unknownHere = false
      const send = (frame: AgentToNodeFrame) => socket.send(JSON.stringify(frame))
      socket.on('open', () => {
        send({
          type: 'hello',
          did: options.key.did,
          concurrency: this.definition.concurrency ?? 4,
        })
      })
      socket.on('message', (data: Buffer) => {
        let frame: NodeToAgentFrame
        try {
          frame = JSON.parse(data.toString('utf8')) as NodeToAgentFrame
        } catch {
          return
        }
        switch (frame.type) {
          case 'challenge': {
            const signature = toBase64url(
              signBytes(authChallengeBytes(frame.node, frame.nonce), options.key),
            )
            send({ type: 'auth', signature })
            return
          }
          case 'ready':
            ready = true
            clearInterval(this.#heartbeat)
            this.#heartbeat = setInterval(() => this.#send({ type: 'heartbeat' }), 10_000)
            this.#heartbeat.unref()
            // The session the node issued serves ctx.call; set it before resolving.
            void Mesh.connect(url, { token: frame.token }).then((mesh) => {
              this.#mesh = mesh
              resolve()
              options.onReady?.()
            }, reject)
            return
          case 'task':
            void this.#run(frame, socket, options)
            return
          case 'intent':
            void this.#offer(frame, options).catch((error: Error) => options.onError?.(error))
            return
          case 'input':
            this.#asking.get(`${frame.taskId}#${frame.attempt}`)?.(frame.input, frame.deadline)
            return
          case 'cancel':
            this.#running
              .get(`${frame.taskId}#${frame.attempt}`)
              ?.controller.abort(new MeshError('TASK_CANCELED', 'Canceled'))
            return
          case 'draining':
            this.#drain(socket, frame.reconnectTo, options)
            return
          case 'error': {
            const error = MeshError.fromWire(frame.error)
            unknownHere = !ready && error.code === 'AGENT_NOT_FOUND' && attempt !== 'registered'
            if (!ready && attempt === 'first' && !unknownHere) reject(error)
            else options.onError?.(error)
            return
          }
        }
      })
      socket.on('error', (error) => {
        if (!ready && attempt === 'first')
          reject(new SdkError('NETWORK', `Cannot connect to ${wsUrl(url)}: ${error.message}`))
        else options.onError?.(error)
      })
      socket.on('close', () => {
        for (const run of this.#running.values()) {
          if (run.socket !== socket) continue
          run.controller.abort(new MeshError('PROVIDER_DISCONNECTED', 'Connection lost'))
        }
        this.#draining.delete(socket)
        // A connection a drain replaced ends quietly: the new one carries on.
        if (this.#socket !== socket) return
        clearInterval(this.#heartbeat)
        this.#mesh = undefined
        if (this.#closing) return
        if (unknownHere) {
          this.#registerHere(options).then(resolve, (error: Error) => {
            if (attempt === 'first') return reject(error)
            options.onError?.(error)
            this.#reconnect(options, failures + 1, reconnectDelayMs(failures), true)
          })
          return
        }
        if (options.reconnect === false || (!ready && attempt === 'first')) return
        const next = ready ? 1 : failures + 1
        this.#reconnect(options, next, reconnectDelayMs(ready ? 0 : failures), true)
      })
    })
  }

  /**
   * The node is shutting down: connect to another now (one it named first), and close this
   * connection once the tasks it brought have finished and reported.
   */
  #drain(socket: WebSocket, reconnectTo: string[], options: ConnectOptions): void {
    if (this.#socket !== socket || this.#closing) return
    this.#urls!.prefer(Array.isArray(reconnectTo) ? reconnectTo : [])
    this.#draining.add(socket)
    this.#closeIfIdle(socket)
    if (options.reconnect !== false && this.#urls!.size > 1) this.#reconnect(options, 0, 0, true)
  }

  /** Closes a draining connection that runs no task any more. */
  #closeIfIdle(socket: WebSocket): void {
    if (!this.#draining.has(socket)) return
    for (const run of this.#running.values()) if (run.socket === socket) return
    this.#draining.delete(socket)
    socket.close(1000, 'node draining')
  }

  async #offer(intent: IntentRequest, options: ConnectOptions): Promise<void> {
    const capability = this.definition.capabilities.find((c) => c.id === intent.capabilityId)
    if (!capability) return
    const answer = this.definition.onIntent
      ? await this.definition.onIntent(intent)
      : { price: capability.pricing.amount, validForMs: 60_000 }
    if (!answer) return
    const terms = {
      contract: `offer_${toBase64url(randomBytes(12))}`,
      intent: intent.intentId,
      requester: intent.requester,
      provider: options.key.did,
      capability: intent.capabilityId,
      price: { amount: answer.price, currency: intent.maxPrice.currency },
      validUntil: new Date(Date.now() + (answer.validForMs ?? 60_000)).toISOString(),
    }
    this.#send({ type: 'offer', intentId: intent.intentId, terms: signJws(terms, options.key) })
  }

  #send(frame: AgentToNodeFrame, socket = this.#socket): void {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame))
  }

  async #run(frame: TaskFrame, socket: WebSocket, options: ConnectOptions): Promise<void> {
    const id = `${frame.taskId}#${frame.attempt}`
    const reply = { taskId: frame.taskId, attempt: frame.attempt }
    const capability = this.definition.capabilities.find((c) => c.id === frame.capabilityId)
    if (!capability) {
      const error = {
        code: 'CAPABILITY_NOT_FOUND',
        message: `No handler for "${frame.capabilityId}"`,
      }
      this.#send({ type: 'error', ...reply, error }, socket)
      return
    }
    const controller = new AbortController()
    this.#running.set(id, { controller, socket })
    let deadline = new Date(frame.deadline)
    const expire = () => controller.abort(new MeshError('TIMEOUT', 'Deadline passed'))
    let timer = setTimeout(expire, Math.max(0, deadline.getTime() - Date.now()))
    this.#send({ type: 'accepted', ...reply }, socket)
    let units: number | undefined
    const ctx: TaskContext = {
      taskId: frame.taskId,
      attempt: frame.attempt,
      capabilityId: frame.capabilityId,
      deadline,
      depth: frame.depth,
      budget: { amount: frame.budget, currency: frame.currency },
      signal: controller.signal,
      progress: (fraction, message) =>
        this.#send(
          {
            type: 'progress',
            ...reply,
            ...(fraction === undefined ? {} : { progress: Math.min(1, Math.max(0, fraction)) }),
            ...(message === undefined ? {} : { message: message.slice(0, 1000) }),
          },
          socket,
        ),
      requestInput: <T>(
        prompt: string,
        schema?: Record<string, unknown>,
        askOptions: { timeoutMs?: number } = {},
      ) =>
        new Promise<T>((resolve, reject) => {
          if (this.#asking.has(id)) {
            reject(new SdkError('BAD_OPTIONS', 'This task already waits for an answer'))
            return
          }
          // The node stops the attempt's clock while the requester thinks; so does the agent.
          clearTimeout(timer)
          const onAbort = () => {
            this.#asking.delete(id)
            reject(controller.signal.reason as Error)
          }
          controller.signal.addEventListener('abort', onAbort, { once: true })
          this.#asking.set(id, (input, nextDeadline) => {
            this.#asking.delete(id)
            controller.signal.removeEventListener('abort', onAbort)
            deadline = new Date(nextDeadline)
            timer = setTimeout(expire, Math.max(0, deadline.getTime() - Date.now()))
            resolve(input as T)
          })
          this.#send(
            {
              type: 'input_request',
              ...reply,
              prompt: prompt.slice(0, 2000),
              ...(schema === undefined ? {} : { schema }),
              ...(askOptions.timeoutMs === undefined ? {} : { timeoutMs: askOptions.timeoutMs }),
            },
            socket,
          )
        }),
      units: (count) => {
        if (!Number.isSafeInteger(count) || count < 0)
          throw new SdkError('BAD_OPTIONS', `Units "${count}" is not a whole number 0 or more`)
        units = count
      },
      knowledge: taskKnowledge(() => this.#mesh, frame.taskId, options.key),
      call: (capabilityId, input, callOptions = {}) => {
        if (!this.#mesh) return Promise.reject(new SdkError('NETWORK', 'Not connected'))
        const remainingMs = Math.max(1, deadline.getTime() - Date.now())
        return this.#mesh.call(capabilityId, input, {
          maxPrice: frame.budget,
          currency: frame.currency,
          ...callOptions,
          timeoutMs: Math.min(callOptions.timeoutMs ?? remainingMs, remainingMs),
          parentTaskId: frame.taskId,
        })
      },
    }
    try {
      const output: unknown = await capability.handler(frame.input, ctx)
      if (controller.signal.aborted) return
      const validate = this.#validators.get(capability.id)!
      if (!validate(output)) {
        const first = validate.errors?.[0]
        throw new MeshError(
          'INVALID_OUTPUT',
          `Output at "${first?.instancePath || '/'}" ${first?.message ?? 'is invalid'}`,
        )
      }
      this.#send(
        { type: 'result', ...reply, output, ...(units === undefined ? {} : { units }) },
        socket,
      )
    } catch (error) {
      if (controller.signal.aborted) return
      const mesh =
        error instanceof MeshError
          ? error
          : new MeshError('PROVIDER_ERROR', (error as Error)?.message ?? 'Handler failed')
      options.onError?.(error as Error)
      this.#send(
        { type: 'error', ...reply, error: { code: mesh.code, message: mesh.message } },
        socket,
      )
    } finally {
      clearTimeout(timer)
      this.#running.delete(id)
      this.#closeIfIdle(socket)
    }
  }

  /** Closes the connection and stops reconnecting; running handlers are aborted. */
  async close(): Promise<void> {
    this.#closing = true
    clearTimeout(this.#reconnectTimer)
    clearInterval(this.#heartbeat)
    for (const { controller } of this.#running.values())
      controller.abort(new MeshError('TASK_CANCELED', 'Agent closing'))
    const sockets = new Set([...this.#draining, ...(this.#socket ? [this.#socket] : [])])
    this.#draining.clear()
    await Promise.all(
      [...sockets]
        .filter((socket) => socket.readyState !== WebSocket.CLOSED)
        .map(
          (socket) =>
            new Promise<void>((resolve) => {
              socket.once('close', () => resolve())
              socket.close(1000, 'agent closing')
            }),
        ),
    )
    await this.#mesh?.close()
    this.#mesh = undefined
  }
}

/** Defines an agent from its card and handlers. */
export function defineAgent(definition: AgentDefinition): Agent {
  return new Agent(definition)
}
