import { MeshError } from '@agentmesh/protocol'
import type { AgentLocationKind, AgentRouter } from '../../core/ports/agent-router.js'
import type { Dispatch, DispatchEvent, TaskTransport } from '../../core/ports/task-transport.js'

/** One transport per place an agent may be served from (another node's only in a cluster). */
export type TransportsByLocation = Record<'local-socket' | 'a2a-http', TaskTransport> &
  Partial<Record<Exclude<AgentLocationKind, 'unknown'>, TaskTransport>>

/**
 * The task transport of the node: asks the router where the agent is served and hands the attempt
 * to the transport for that place (its WebSocket here, its A2A URL, …). An agent served nowhere
 * known fails the attempt as disconnected (retryable: the task fails over).
 */
export class RouterTransport implements TaskTransport {
  readonly #router: AgentRouter
  readonly #transports: TransportsByLocation

  constructor(router: AgentRouter, transports: TransportsByLocation) {
    this.#router = router
    this.#transports = transports
  }

  dispatch(
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown; units?: number }> {
    const location = this.#router.locate(agentId)
    const transport = location.kind === 'unknown' ? undefined : this.#transports[location.kind]
    if (!transport) {
      return Promise.reject(
        new MeshError('PROVIDER_DISCONNECTED', `Agent "${agentId}" is not connected`),
      )
    }
    return transport.dispatch(agentId, dispatch, options)
  }
}
