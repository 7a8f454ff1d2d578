import type { PeerReputationView } from '@agentmesh/protocol'
import type { FederationConfig, TrustZone } from 'agentmesh/internal'

interface PeerRecord {
  tasks: number
  failures: number
  badReceipts: number
  schemaFailures: number
  disputes: number
  totalTaskMs: number
  latencyMs: number | null
  disconnected: boolean
}

const ZONE_WEIGHT: Record<TrustZone, number> = { bootstrap: 1, validator: 1, worker: 0.8 }

/**
 * Trust in peers: who may peer (allowlist or open), their zones, and a reputation from their
 * receipts. A bad receipt or an output failing its schema is a strike: past `demoteAfterStrikes`
 * the peer ranks last, past `disconnectAfterStrikes` it is cut off and refused.
 */
export class PeerBook {
  readonly #config: FederationConfig
  readonly #peers = new Map<string, PeerRecord>()

  constructor(config: FederationConfig) {
    this.#config = config
  }

  #record(did: string): PeerRecord {
    let record = this.#peers.get(did)
    if (!record) {
      record = {
        tasks: 0,
        failures: 0,
        badReceipts: 0,
        schemaFailures: 0,
        disputes: 0,
        totalTaskMs: 0,
        latencyMs: null,
        disconnected: false,
      }
      this.#peers.set(did, record)
    }
    return record
  }

  /** Whether a peer may connect and exchange work with this node. */
  allowed(did: string): boolean {
    if (this.#peers.get(did)?.disconnected) return false
    return this.#config.mode === 'open' || this.#config.allow.includes(did)
  }

  zone(did: string): TrustZone {
    return this.#config.zones[did] ?? 'worker'
  }

  known(): string[] {
    return [...this.#peers.keys()]
  }

  latency(did: string, ms: number): void {
    this.#record(did).latencyMs = ms
  }

  latencyOf(did: string): number | null {
    return this.#peers.get(did)?.latencyMs ?? null
  }

  succeeded(did: string, tookMs: number): void {
    const record = this.#record(did)
    record.tasks += 1
    record.totalTaskMs += tookMs
  }

  failed(did: string): void {
    const record = this.#record(did)
    record.tasks += 1
    record.failures += 1
  }

  /** A strike; answers true when it is the one that disconnects the peer. */
  strike(did: string, kind: 'badReceipt' | 'schemaFailure' | 'dispute'): boolean {
    const record = this.#record(did)
    record.tasks += 1
    record.failures += 1
    if (kind === 'badReceipt') record.badReceipts += 1
    else if (kind === 'schemaFailure') record.schemaFailures += 1
    else record.disputes += 1
    if (!record.disconnected && this.#strikes(record) >= this.#config.disconnectAfterStrikes) {
      record.disconnected = true
      return true
    }
    return false
  }

  #strikes(record: PeerRecord): number {
    return record.badReceipts + record.schemaFailures + record.disputes
  }

  /** 0 to 1: successes over tasks (with a prior of one each), halved per strike, by zone. */
  view(did: string): PeerReputationView {
    const record = this.#record(did)
    const strikes = this.#strikes(record)
    const base = (record.tasks - record.failures + 1) / (record.tasks + 2)
    const score = (base * ZONE_WEIGHT[this.zone(did)]) / 2 ** strikes
    return {
      score,
      tasks: record.tasks,
      failures: record.failures,
      badReceipts: record.badReceipts,
      schemaFailures: record.schemaFailures,
      disputes: record.disputes,
      meanTaskMs:
        record.tasks - record.failures > 0
          ? record.totalTaskMs / (record.tasks - record.failures)
          : null,
      demoted: strikes >= this.#config.demoteAfterStrikes,
      disconnected: record.disconnected,
    }
  }
}
