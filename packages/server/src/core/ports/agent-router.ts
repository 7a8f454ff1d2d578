/**
 * Where an agent is served from, as the router answers it: a socket connected to this node, an
 * A2A agent imported over HTTP, or nowhere known. Later kinds (another node of a cluster, a
 * federation peer, a sandbox) add a variant here and a transport for it.
 */
export type AgentLocation =
  | { kind: 'local-socket' }
  | { kind: 'a2a-http'; url: string }
  /** A hosted agent: its code runs in this node's sandbox. */
  | { kind: 'sandbox' }
  | { kind: 'federation-peer'; peerId: string }
  /** Connected to another node of the cluster, which carries its tasks over NATS. */
  | { kind: 'cluster-node'; nodeId: string }
  | { kind: 'unknown' }

/** The kinds of location, one transport each. */
export type AgentLocationKind = AgentLocation['kind']

/** Answers where an agent is served, so the task transport for that place can carry its tasks. */
export interface AgentRouter {
  locate(agentId: string): AgentLocation
}
