import type { Dispatch, DispatchEvent, TaskTransport } from '../../core/ports/task-transport.js'

/**
 * The task transport of the node: imported A2A agents over HTTP, every other agent over its
 * WebSocket connection.
 */
export class RoutingTransport implements TaskTransport {
  readonly #sockets: TaskTransport
  readonly #http: TaskTransport & { has(agentId: string): boolean }

  constructor(sockets: TaskTransport, http: TaskTransport & { has(agentId: string): boolean }) {
    this.#sockets = sockets
    this.#http = http
  }

  dispatch(
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown; units?: number }> {
    const transport = this.#http.has(agentId) ? this.#http : this.#sockets
    return transport.dispatch(agentId, dispatch, options)
  }
}
