import type { AgentLocation, AgentRouter } from '../../core/ports/agent-router.js'

/**
 * Where this node serves an agent: a started hosted agent in its sandbox, an imported A2A agent at its URL, an agent with a live socket
 * on this node's gateway; any other agent is unknown here.
 */
export class NodeAgentRouter implements AgentRouter {
  readonly #sockets: { isConnected(agentId: string): boolean }
  readonly #imports: { urlOf(agentId: string): string | undefined }
  readonly #hosted: { isStarted(agentId: string): boolean }

  constructor(
    sockets: { isConnected(agentId: string): boolean },
    imports: { urlOf(agentId: string): string | undefined },
    hosted: { isStarted(agentId: string): boolean } = { isStarted: () => false },
  ) {
    this.#sockets = sockets
    this.#imports = imports
    this.#hosted = hosted
  }

  locate(agentId: string): AgentLocation {
    if (this.#hosted.isStarted(agentId)) return { kind: 'sandbox' }
    const url = this.#imports.urlOf(agentId)
    if (url !== undefined) return { kind: 'a2a-http', url }
    return this.#sockets.isConnected(agentId) ? { kind: 'local-socket' } : { kind: 'unknown' }
  }
}
