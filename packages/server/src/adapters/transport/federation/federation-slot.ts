import { MeshError } from '@agentmesh/protocol'
import type { ProviderDirectory } from '../../../core/ports/provider-directory.js'
import type { Dispatch, DispatchEvent, TaskTransport } from '../../../core/ports/task-transport.js'
import type { Federation } from '../../../node/federation-host.js'

/**
 * Where the node's router, directory and transports meet its federation, which starts later (and
 * only with `--p2p-listen`): until one is attached, no agent is a peer's and no peer is a provider.
 */
export class FederationSlot implements TaskTransport {
  #federation: Federation | undefined

  attach(federation: Federation): void {
    this.#federation = federation
  }

  detach(): void {
    this.#federation = undefined
  }

  get current(): Federation | undefined {
    return this.#federation
  }

  /** The peer that serves an agent id, when the federation handed it out. */
  peerOf(agentId: string): string | undefined {
    return this.#federation?.peerOf(agentId)
  }

  dispatch(
    agentId: string,
    dispatch: Dispatch,
    options: { signal: AbortSignal; onEvent: (event: DispatchEvent) => void },
  ): Promise<{ output: unknown; units?: number }> {
    const federation = this.#federation
    if (!federation) {
      return Promise.reject(
        new MeshError('PROVIDER_DISCONNECTED', `Agent "${agentId}" is on a peer no longer reached`),
      )
    }
    return federation.transport.dispatch(agentId, dispatch, options)
  }

  /** This node's providers first, then peers' (as failover), once the federation is attached. */
  directory(local: ProviderDirectory): ProviderDirectory {
    return {
      candidates: async (query) => {
        const federation = this.#federation
        if (!federation) return local.candidates(query)
        if (query.agentId !== undefined && federation.peerOf(query.agentId) !== undefined) {
          return federation.directory.candidates(query)
        }
        const own = await local.candidates(query)
        if (query.agentId !== undefined) return own
        const limit = query.limit ?? Number.POSITIVE_INFINITY
        if (own.length >= limit) return own
        const remote = await federation.directory.candidates(query)
        return [...own, ...remote].slice(0, limit)
      },
      knows: async (capabilityId) =>
        (await local.knows(capabilityId)) ||
        ((await this.#federation?.directory.knows(capabilityId)) ?? false),
    }
  }
}
