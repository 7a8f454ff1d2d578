import type { AgentLocation, AgentRouter } from '../../core/ports/agent-router.js'

/**
 * Where this node serves an agent: a started hosted agent in its sandbox, an imported A2A agent at
 * its URL, a federation peer's agent, an agent with a live socket on this node's gateway; any other
 * agent is unknown here.
 */
export class NodeAgentRouter implements AgentRouter {
  readonly #sockets: { isConnected(agentId: string): boolean }
  readonly #imports: { urlOf(agentId: string): string | undefined }
  readonly #hosted: { isStarted(agentId: string): boolean }
  readonly #peers: { peerOf(agentId: string): string | undefined } | undefined
  readonly #cluster: { nodeOf(agentId: string): string | undefined } | undefined

  /** With `cluster`: an agent connected to another node is served there. */
  constructor(
    sockets: { isConnected(agentId: string): boolean },
    imports: { urlOf(agentId: string): string | undefined },
    hosted: { isStarted(agentId: string): boolean } = { isStarted: () => false },
    peers?: { peerOf(agentId: string): string | undefined },
    cluster?: { nodeOf(agentId: string): string | undefined },
  ) {
    this.#sockets = sockets
    this.#imports = imports
    this.#hosted = hosted
    this.#peers = peers
    this.#cluster = cluster
  }

  locate(agentId: string): AgentLocation {
    if (this.#hosted.isStarted(agentId)) return { kind: 'sandbox' }
    const url = this.#imports.urlOf(agentId)
    if (url !== undefined) return { kind: 'a2a-http', url }
    if (this.#sockets.isConnected(agentId)) return { kind: 'local-socket' }
    const nodeId = this.#cluster?.nodeOf(agentId)
    if (nodeId !== undefined) return { kind: 'cluster-node', nodeId }
    const peerId = this.#peers?.peerOf(agentId)
    return peerId === undefined ? { kind: 'unknown' } : { kind: 'federation-peer', peerId }
  }
}
