import type { ClearingStatement, FederationView, KeyPair, SearchResult } from '@agentmesh/protocol'
import type { Logger } from '../core/ports/logger.js'
import type { AuditLog } from '../core/audit/audit-log.js'
import type { SearchInput } from '../core/discovery/discovery-service.js'
import type { LedgerService } from '../core/ledger/ledger-service.js'
import type { Clock } from '../core/ports/clock.js'
import type { ProviderDirectory } from '../core/ports/provider-directory.js'
import type { SchemaChecker } from '../core/ports/schema-checker.js'
import type { TaskTransport } from '../core/ports/task-transport.js'
import type { Presence } from '../core/registry/presence.js'
import type { RegistryService } from '../core/registry/registry-service.js'
import type { TaskService } from '../core/tasks/task-service.js'

/** A peer's place in the trust configuration: bootstrap and validator peers count more. */
export type TrustZone = 'bootstrap' | 'validator' | 'worker'

/** How a node federates (`--p2p-listen`, `--bootstrap`, `AGENTMESH_P2P_*`). */
export interface FederationConfig {
  listen: string[]
  bootstrap: string[]
  /** Announce and listen on gossipsub (off: the DHT alone finds capabilities). */
  gossip: boolean
  dht: boolean
  announceIntervalMs: number
  /** How long an announcement stays in a peer's index without being repeated. */
  announceTtlMs: number
  /** `open`: any peer, within limits; `allowlist`: only the DIDs in `allow`. */
  mode: 'open' | 'allowlist'
  allow: string[]
  /** Peer DID → zone; unnamed peers are workers. */
  zones: Record<string, TrustZone>
  currency: string
  /** How far the clearing balance with a peer may go either way, per peer DID or by default. */
  creditLimitMicros: bigint
  creditLimits: Record<string, bigint>
  /** Largest stream message, either way. */
  maxMessageBytes: number
  /** Bad receipts or outputs failing the schema before a peer is demoted, then disconnected. */
  demoteAfterStrikes: number
  disconnectAfterStrikes: number
}

/** What the node lends its federation: its key, services and the local-only directory. */
export interface FederationHost {
  config: FederationConfig
  key: KeyPair
  logger: Logger
  clock: Clock
  registry: RegistryService
  presence: Presence
  /** This node's own providers only (never peers), so a forwarded task runs here. */
  localDirectory: ProviderDirectory
  tasks: TaskService
  ledger: LedgerService
  audit: AuditLog
  schemas: SchemaChecker
}

/** What the node uses of a started federation (`@agentmesh/federation`). */
export interface Federation {
  readonly peerId: string
  multiaddrs(): string[]
  /** Remote capabilities matching a search, with their node and its latency. */
  search(input: SearchInput): Promise<SearchResult[]>
  /** Peers as providers of a capability: the router sends their tasks over libp2p. */
  directory: ProviderDirectory
  /** The peer serving an agent id this federation handed out as a candidate. */
  peerOf(agentId: string): string | undefined
  transport: TaskTransport
  view(): Promise<FederationView>
  statement(peerDid: string): Promise<ClearingStatement>
  /**
   * Sends a witness request (JSON, size-capped) to a peer (its peer id, or its node DID) over
   * `/agentmesh/witness/1` and answers its answer; the witness logic plugs in with `handleWitness`.
   */
  requestWitness(peer: string, request: unknown): Promise<unknown>
  /** Sets this node's answer to peers' witness requests; until then they are refused. */
  handleWitness(handler: (request: unknown, fromPeerDid: string) => Promise<unknown>): void
  stop(): Promise<void>
}
