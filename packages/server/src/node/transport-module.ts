import type { KeyPair } from '@agentmesh/protocol'
import { ImportedAgents } from '../adapters/transport/a2a-http/imported-agents.js'
import { NodeAgentRouter } from '../adapters/transport/node-agent-router.js'
import { RouterTransport } from '../adapters/transport/router-transport.js'
import type { FederationSlot } from '../adapters/transport/federation/federation-slot.js'
import { AgentConnections } from '../adapters/transport/websocket/agent-connections.js'
import type { ScheduledJob } from '../core/ports/scheduler.js'
import type { TaskTransport } from '../core/ports/task-transport.js'
import type { Presence } from '../core/registry/presence.js'
import type { PresenceBookkeeping } from '../core/registry/presence-bookkeeping.js'
import type { RegistryService } from '../core/registry/registry-service.js'
import type { NodeBase } from './base.js'
import type { NodeModule } from './lifecycle.js'

/**
 * How tasks reach agents: their WebSocket connections on this node, imported A2A agents over
 * HTTP (online while their card URL answers, checked on a timer), and the router between them.
 */
export function transportModule(
  base: NodeBase,
  deps: {
    key: KeyPair
    registry: RegistryService
    presence: Presence
    bookkeeping: PresenceBookkeeping
    /** Hosted agents: which are started, and the transport that runs them in the sandbox. */
    hosted: { isStarted(agentId: string): boolean; transport: TaskTransport }
    federation: FederationSlot
    /** In a cluster: where other nodes' agents are, and the transport to those nodes. */
    cluster?: { nodeOf(agentId: string): string | undefined; transport: TaskTransport }
  },
) {
  const { config, logger, scheduler } = base
  const connections = new AgentConnections(deps.bookkeeping)
  const imports = new ImportedAgents(
    { nodeKey: deps.key, registry: deps.registry, presence: deps.presence, logger },
    config.outbound,
  )
  const router = new NodeAgentRouter(
    connections,
    imports,
    deps.hosted,
    deps.federation,
    deps.cluster,
  )
  const transport = new RouterTransport(router, {
    'local-socket': connections,
    'a2a-http': imports,
    sandbox: deps.hosted.transport,
    'federation-peer': deps.federation,
    ...(deps.cluster ? { 'cluster-node': deps.cluster.transport } : {}),
  })
  let job: ScheduledJob | undefined
  return {
    name: 'transports',
    connections,
    imports,
    transport,
    start() {
      job = scheduler.every(
        'checking imported agents',
        Math.max(100, Math.floor(config.presenceTtlMs / 2)),
        () => imports.check(),
      )
    },
    stop: () => job?.stop(),
  } satisfies NodeModule & Record<string, unknown>
}
