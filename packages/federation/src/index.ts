/**
 * `@agentmesh/federation`: independent operators' agentmesh nodes peering over libp2p. The node
 * loads it only when it listens on a multiaddr (`agentmesh up --p2p-listen …`).
 */
export { startFederation } from './federation.js'
