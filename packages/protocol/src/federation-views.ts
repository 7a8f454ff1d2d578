/** Wire shapes of federation: `GET /v1/federation`, clearing statements, remote search results. */

/** The node a remote search result is served from, with the latency this node measured to it. */
export interface FederatedNodeRef {
  did: string
  peerId: string
  /** Round trip measured by libp2p ping; absent before the first ping answered. */
  latencyMs?: number
}

/** How a node rates a peer from what its receipts showed. */
export interface PeerReputationView {
  /** 0 to 1, higher is better. */
  score: number
  tasks: number
  failures: number
  badReceipts: number
  schemaFailures: number
  disputes: number
  /** Average round trip of its tasks, ms; null before any. */
  meanTaskMs: number | null
  demoted: boolean
  disconnected: boolean
}

/** What this node and a peer owe each other in one currency (positive: this node owes the peer). */
export interface ClearingBalanceView {
  currency: string
  /** Signed decimal string. */
  net: string
  /** How far this node lets the balance go either way with this peer. */
  creditLimit: string
}

/** One peer as `GET /v1/federation` shows it. */
export interface FederationPeerView {
  did: string
  peerId: string
  zone: string
  connected: boolean
  latencyMs: number | null
  /** Capabilities it announced that are still fresh. */
  capabilities: number
  reputation: PeerReputationView
  clearing: ClearingBalanceView
}

/** `GET /v1/federation`. */
export interface FederationView {
  did: string
  peerId: string
  multiaddrs: string[]
  mode: 'open' | 'allowlist'
  gossip: boolean
  dht: boolean
  zones: Record<string, string>
  peers: FederationPeerView[]
  /** The latest messages refused from peers (forged, replayed, too large…), newest first. */
  refusals?: { peer: string; code: string; message: string; at: string }[]
}

/** A net clearing statement between two nodes, signed by both (compact JWS each). */
export interface ClearingStatement {
  statement: {
    /** The node that drew it up, and its peer. */
    from: string
    to: string
    currency: string
    /** What `from` owes `to` (negative: `to` owes `from`), signed decimal string. */
    net: string
    /** Receipts it covers. */
    receipts: number
    at: string
  }
  signatures: { from: string; to: string }
}
