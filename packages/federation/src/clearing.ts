import { formatAmount, MeshError } from '@agentmesh/protocol'
import { accountId, SYSTEM, type FederationConfig, type LedgerService } from 'agentmesh/internal'

/**
 * Clearing between operators in this node's ledger: each peer has an account (owned by its DID)
 * opened with a credit line of the limit set for it, minted once. A peer's tasks here draw on it;
 * what this node's clients pay the peer's agents is credited to it. So its balance less the line is
 * the net: positive, this node owes the peer; negative, the peer owes this node.
 */
export class Clearing {
  readonly #ledger: LedgerService
  readonly #config: FederationConfig
  readonly #nodeDid: string
  readonly #opened = new Set<string>()

  constructor(ledger: LedgerService, config: FederationConfig, nodeDid: string) {
    this.#ledger = ledger
    this.#config = config
    this.#nodeDid = nodeDid
  }

  get currency(): string {
    return this.#config.currency
  }

  limit(peerDid: string): bigint {
    return this.#config.creditLimits[peerDid] ?? this.#config.creditLimitMicros
  }

  /** Opens the peer's account with its credit line (once: the mint's id names peer and currency). */
  async open(peerDid: string): Promise<void> {
    if (this.#opened.has(peerDid)) return
    const limit = this.limit(peerDid)
    if (limit > 0n) {
      await this.#ledger.transfer(
        {
          kind: 'posted',
          id: `federation-line:${peerDid}:${this.currency}`,
          debitAccount: accountId(SYSTEM.mint, this.currency),
          creditAccount: accountId(peerDid, this.currency),
          amountMicros: limit,
          code: 'mint',
          reference: 'federation credit line',
        },
        this.#nodeDid,
      )
    }
    this.#opened.add(peerDid)
  }

  /** What this node owes the peer (negative: what it is owed); holds count unless `postedOnly`. */
  async net(peerDid: string, options: { postedOnly?: boolean } = {}): Promise<bigint> {
    await this.open(peerDid)
    const account = await this.#ledger.accountOrEmpty(accountId(peerDid, this.currency))
    const held = options.postedOnly ? 0n : account.debitsPending
    return account.creditsPosted - account.debitsPosted - held - this.limit(peerDid)
  }

  /** Before this node sends a peer work worth `priceMicros`: refuses owing it past the limit. */
  async checkOutgoing(peerDid: string, priceMicros: bigint): Promise<void> {
    const net = await this.net(peerDid)
    if (net + priceMicros > this.limit(peerDid)) {
      throw new MeshError(
        'FEDERATION_CREDIT_LIMIT',
        `Paying peer "${peerDid}" ${formatAmount(priceMicros)} ${this.currency} would pass its credit limit of ${formatAmount(this.limit(peerDid))}`,
      )
    }
  }

  /** Before this node runs a peer's task of at most `priceMicros`: refuses past its credit. */
  async checkIncoming(peerDid: string, priceMicros: bigint): Promise<void> {
    const net = await this.net(peerDid)
    if (-net + priceMicros > this.limit(peerDid)) {
      throw new MeshError(
        'FEDERATION_CREDIT_LIMIT',
        `Peer "${peerDid}" owes ${formatAmount(-net)} ${this.currency}: a task of ${formatAmount(priceMicros)} would pass its credit limit of ${formatAmount(this.limit(peerDid))}`,
      )
    }
  }
}
