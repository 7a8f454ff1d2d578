import {
  formatAmount,
  MeshError,
  type NodeToAgentFrame,
  type InputRequestFrame,
  type ProgressFrame,
  type ResultFrame,
  type TaskErrorFrame,
} from '@agentmesh/protocol'
import type { OfferRequester } from '../../../core/negotiation/negotiation-types.js'
import type { Dispatch, DispatchEvent, TaskTransport } from '../../../core/ports/task-transport.js'

/** What the gateway tells presence about an agent's connections. */
export interface PresenceHooks {
  connected(agentId: string): void | Promise<void>
  disconnected(agentId: string): void | Promise<void>
  heartbeat(agentId: string): void | Promise<void>
  setLoad(agentId: string, inFlight: number): void | Promise<void>
}

interface Pending {
  resolve: (answer: { output: unknown; units?: number }) => void
  reject: (error: MeshError) => void
  onEvent: (event: DispatchEvent) => void
}

/** A live, authenticated agent socket. */
export interface AgentSocket {
  send(frame: NodeToAgentFrame): void
  close(code: number, reason: string): void
}

class Connection {
  readonly pending = new Map<string, Pending>()
  constructor(
    readonly agentId: string,
    readonly socket: AgentSocket,
    readonly concurrency: number,
  ) {}
}

const key = (taskId: string, attempt: number) => `${taskId}#${attempt}`

/**
 * The live agent connections of this node, and the task transport over them. A task goes to a
 * connection of its agent with room under the agent's declared concurrency; a dropped connection
 * fails its attempts with PROVIDER_DISCONNECTED (retryable), so the task flow retries or fails over.
 */
export class AgentConnections implements TaskTransport, OfferRequester {
  readonly #byAgent = new Map<string, Set<Connection>>()
  readonly #presence: PresenceHooks | undefined

  constructor(presence?: PresenceHooks) {
    this.#presence = presence
  }

  /** Adds an authenticated socket; answers the handle the gateway feeds frames to. */
  add(agentId: string, socket: AgentSocket, concurrency: number): Connection {
    const connection = new Connection(agentId, socket, concurrency)
    let set = this.#byAgent.get(agentId)
    if (!set) this.#byAgent.set(agentId, (set = new Set()))
    set.add(connection)
    void this.#presence?.connected(agentId)
    return connection
  }

  /** Forgets a socket; its attempts fail as disconnected. */
  remove(connection: Connection): void {
    const set = this.#byAgent.get(connection.agentId)
    set?.delete(connection)
    if (set?.size === 0) {
      this.#byAgent.delete(connection.agentId)
      void this.#presence?.disconnected(connection.agentId)
    }
    const error = new MeshError(
      'PROVIDER_DISCONNECTED',
      `Agent "${connection.agentId}" disconnected`,
    )
    for (const pending of connection.pending.values()) pending.reject(error)
    connection.pending.clear()
  }

  /** Whether the agent has a live connection here. */
  isConnected(agentId: string): boolean {
    return (this.#byAgent.get(agentId)?.size ?? 0) > 0
  }

  /** Tasks in flight for an agent, over all its connections. */
  inFlight(agentId: string): number {
    let total = 0
    for (const connection of this.#byAgent.get(agentId) ?? []) total += connection.pending.size
    return total
  }

  heartbeat(connection: Connection): void {
    void this.#presence?.heartbeat(connection.agentId)
  }

  /** Feeds a frame from the agent: progress, result or error of one attempt. */
  receive(
    connection: Connection,
    frame: ProgressFrame | ResultFrame | TaskErrorFrame | InputRequestFrame,
  ): void {
    const pending = connection.pending.get(key(frame.taskId, frame.attempt))
    if (!pending) return // a late answer to an attempt that timed out or was canceled
    switch (frame.type) {
      case 'accepted':
        pending.onEvent({ type: 'accepted' })
        return
      case 'progress':
        pending.onEvent({
          type: 'progress',
          ...(frame.progress === undefined ? {} : { progress: frame.progress }),
          ...(frame.message === undefined ? {} : { message: frame.message }),
        })
        return
      case 'input_request': {
        const { taskId, attempt } = frame
        pending.onEvent({
          type: 'input_request',
          prompt: frame.prompt,
          ...(frame.schema === undefined ? {} : { schema: frame.schema }),
          ...(frame.timeoutMs === undefined ? {} : { timeoutMs: frame.timeoutMs }),
          respond: (input, deadlineAtMs) =>
            connection.socket.send({
              type: 'input',
              taskId,
              attempt,
              input,
              deadline: new Date(deadlineAtMs).toISOString(),
            }),
        })
        return
      }
      case 'result':
        pending.resolve(
          frame.units === undefined
            ? { output: frame.output }
            : { output: frame.output, units: frame.units },
        )
        return
      case 'error': {
        const error = MeshError.fromWire(frame.error, 'Provider failed')
        // An agent's own INTERNAL (or a code the node does not know) is the provider failing:
        // PROVIDER_ERROR, which the task retries; the node's INTERNAL is not retryable.
        pending.reject(
          error.code === 'INTERNAL' ? new MeshError('PROVIDER_ERROR', error.message) : error,
        )
        return
      }
    }
  }

  /** Ends one attempt with `error`: its agent answered it with a frame the gateway refused. */
  refuse(connection: Connection, taskId: string, attempt: number, error: MeshError): void {
    connection.pending.get(key(taskId, attempt))?.reject(error)
  }

  dispatch(
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown; units?: number }> {
    const connections = [...(this.#byAgent.get(agentId) ?? [])]
    if (connections.length === 0) {
      return Promise.reject(
        new MeshError('PROVIDER_DISCONNECTED', `Agent "${agentId}" is not connected`),
      )
    }
    const connection = connections
      .filter((c) => c.pending.size < c.concurrency)
      .sort((a, b) => a.pending.size - b.pending.size)[0]
    if (!connection) {
      return Promise.reject(
        new MeshError('PROVIDER_BUSY', `Agent "${agentId}" is at its concurrency limit`),
      )
    }
    const id = key(dispatch.taskId, dispatch.attempt)
    return new Promise((resolve, reject) => {
      const done = () => {
        connection.pending.delete(id)
        options.signal.removeEventListener('abort', onAbort)
        void this.#presence?.setLoad(agentId, this.inFlight(agentId))
      }
      const onAbort = () => {
        connection.socket.send({
          type: 'cancel',
          taskId: dispatch.taskId,
          attempt: dispatch.attempt,
        })
        done()
        reject(
          options.signal.reason instanceof MeshError
            ? options.signal.reason
            : new MeshError('TASK_CANCELED', 'Canceled'),
        )
      }
      connection.pending.set(id, {
        resolve: (answer) => {
          done()
          resolve(answer)
        },
        reject: (error) => {
          done()
          reject(error)
        },
        onEvent: options.onEvent,
      })
      options.signal.addEventListener('abort', onAbort, { once: true })
      void this.#presence?.setLoad(agentId, this.inFlight(agentId))
      connection.socket.send({
        type: 'task',
        taskId: dispatch.taskId,
        attempt: dispatch.attempt,
        capabilityId: dispatch.capabilityId,
        input: dispatch.input,
        deadline: new Date(dispatch.deadlineAtMs).toISOString(),
        depth: dispatch.depth,
        budget: formatAmount(dispatch.budgetMicros),
        currency: dispatch.currency,
      })
    })
  }

  /** The agents connected here, their tasks in flight and their concurrency summed. */
  summary(): { agents: string[]; inFlight: number; capacity: number } {
    let inFlight = 0
    let capacity = 0
    for (const set of this.#byAgent.values()) {
      for (const connection of set) {
        inFlight += connection.pending.size
        capacity += connection.concurrency
      }
    }
    return { agents: [...this.#byAgent.keys()], inFlight, capacity }
  }

  /** Sends `frame` on every connection (a draining node's word to reconnect elsewhere). */
  broadcast(frame: NodeToAgentFrame): void {
    for (const set of this.#byAgent.values()) for (const c of set) c.socket.send(frame)
  }

  /** Asks each agent (on one of its connections) for an offer. */
  requestOffers(agentIds: string[], request: Parameters<OfferRequester['requestOffers']>[1]): void {
    for (const agentId of agentIds) {
      const [connection] = this.#byAgent.get(agentId) ?? []
      connection?.socket.send({ type: 'intent', ...request })
    }
  }

  /** Closes the agent's sockets (its principal was removed); its attempts fail as disconnected. */
  closeAgent(agentId: string, reason: string): void {
    for (const connection of this.#byAgent.get(agentId) ?? []) connection.socket.close(4003, reason)
  }

  /**
   * Closes every socket (the node is stopping) and forgets it at once, so that presence hears of
   * every disconnection now, while the store is open, not when each socket finishes closing.
   */
  closeAll(): void {
    for (const set of [...this.#byAgent.values()]) {
      for (const connection of [...set]) {
        connection.socket.close(1001, 'node stopping')
        this.remove(connection)
      }
    }
  }
}

export type { Connection }
