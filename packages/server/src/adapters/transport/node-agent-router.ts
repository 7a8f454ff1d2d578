import type { AgentLocation, AgentRouter } from '../../core/ports/agent-router.js'

/**
 * Where this node serves an agent: an imported A2A agent at its URL, an agent with a live socket
 * on this node's gateway; any other agent is unknown here.
 */
export class NodeAgentRouter implements AgentRouter {
  readonly #sockets: { isConnected(agentId: string): boolean }
  readonly #imports: { urlOf(agentId: string): string | undefined }
  readonly #cluster: { nodeOf(agentId: string): string | undefined } | undefined

  /** With `cluster`: an agent connected to another node is served there. */
  constructor(
    sockets: { isConnected(agentId: string): boolean },
    imports: { urlOf(agentId: string): string | undefined },
    cluster?: { nodeOf(agentId: string): string | undefined },
  ) {
    this.#sockets = sockets
    this.#imports = imports
    this.#cluster = cluster
  }

  locate(agentId: string): AgentLocation {
    const url = this.#imports.urlOf(agentId)
    if (url !== undefined) return { kind: 'a2a-http', url }
    if (this.#sockets.isConnected(agentId)) return { kind: 'local-socket' }
    const nodeId = this.#cluster?.nodeOf(agentId)
    return nodeId === undefined ? { kind: 'unknown' } : { kind: 'cluster-node', nodeId }
  }
}
