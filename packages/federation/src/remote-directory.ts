import { formatAmount, parseAmount, type SearchResult } from '@agentmesh/protocol'
import type { Candidate, ProviderDirectory, SearchInput } from 'agentmesh/internal'
import type { FederatedIndex, RemoteOffer } from './federated-index.js'
import type { PeerBook } from './peer-book.js'

/** How fast a peer answers pings, as a 0 to 1 factor (50 ms or less counts fully). */
const latencyFactor = (ms: number | null): number =>
  ms === null ? 0.5 : Math.min(1, 50 / Math.max(ms, 1))

const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)

/**
 * Peers' capabilities as providers and search results: from the federated index, looked up in
 * the DHT first when the index has no offer of the capability asked for. Each peer is one
 * candidate per capability (its agent id is the peer's DID: the peer picks its own provider),
 * ranked by the peer's reputation and the latency this node measured to it.
 */
export class RemoteDirectory implements ProviderDirectory {
  readonly #index: FederatedIndex
  readonly #peers: PeerBook
  readonly #now: () => number
  readonly #lookup: (capabilityId: string) => Promise<void>

  constructor(deps: {
    index: FederatedIndex
    peers: PeerBook
    now: () => number
    lookup: (capabilityId: string) => Promise<void>
  }) {
    this.#index = deps.index
    this.#peers = deps.peers
    this.#now = deps.now
    this.#lookup = deps.lookup
  }

  async #offers(capabilityId: string | undefined): Promise<RemoteOffer[]> {
    let offers = this.#index.offers(this.#now(), capabilityId)
    if (offers.length === 0 && capabilityId !== undefined) {
      await this.#lookup(capabilityId)
      offers = this.#index.offers(this.#now(), capabilityId)
    }
    return offers.filter((o) => this.#peers.allowed(o.peerDid))
  }

  #score(offer: RemoteOffer): number {
    return (
      this.#peers.view(offer.peerDid).score *
      (0.5 + 0.5 * latencyFactor(this.#peers.latencyOf(offer.peerDid)))
    )
  }

  /** The peers' cheapest offer of the capability each, best first. */
  async candidates(query: Parameters<ProviderDirectory['candidates']>[0]): Promise<Candidate[]> {
    const best = new Map<string, RemoteOffer>()
    for (const offer of await this.#offers(query.capabilityId)) {
      const price = parseAmount(offer.capability.pricing.amount)
      if (query.maxPriceMicros !== undefined && price > query.maxPriceMicros) continue
      if (query.currency !== undefined && offer.capability.pricing.currency !== query.currency)
        continue
      if (query.excludeAgentIds?.includes(offer.peerDid)) continue
      if (query.agentId !== undefined && query.agentId !== offer.peerDid) continue
      const known = best.get(offer.peerDid)
      if (!known || parseAmount(known.capability.pricing.amount) > price)
        best.set(offer.peerDid, offer)
    }
    return [...best.values()]
      .map((offer) => ({
        agentId: offer.peerDid,
        agentName: `${offer.agentName} (peer ${offer.peerId.slice(-8)})`,
        capability: offer.capability,
        score: this.#score(offer),
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, query.limit ?? 20)
  }

  async knows(capabilityId: string): Promise<boolean> {
    return (await this.#offers(capabilityId)).length > 0
  }

  /** Remote search results: every fresh offer matching the words, capability and price. */
  async search(input: SearchInput): Promise<SearchResult[]> {
    const terms = words(input.q ?? '')
    const capabilityId =
      input.capability ??
      (input.q && /^[a-z0-9_.-]+$/.test(input.q) && input.q.includes('.') ? input.q : undefined)
    const offers = await this.#offers(capabilityId)
    const maxPrice = input.maxPrice === undefined ? undefined : parseAmount(input.maxPrice)
    const results: SearchResult[] = []
    for (const offer of offers) {
      const { capability } = offer
      const text = words(
        [offer.agentName, capability.id, capability.description, ...(capability.tags ?? [])].join(
          ' ',
        ),
      )
      if (!terms.every((t) => text.some((w) => w.startsWith(t)))) continue
      if (input.capability !== undefined && capability.id !== input.capability) continue
      if (input.tags?.some((tag) => !(capability.tags ?? []).includes(tag))) continue
      const price = parseAmount(capability.pricing.amount)
      if (maxPrice !== undefined && price > maxPrice) continue
      const latencyMs = this.#peers.latencyOf(offer.peerDid)
      results.push({
        agentId: offer.agentId,
        agentName: offer.agentName,
        capabilityId: capability.id,
        description: capability.description,
        price: { amount: formatAmount(price), currency: capability.pricing.currency },
        score: this.#score(offer),
        online: true,
        node: {
          did: offer.peerDid,
          peerId: offer.peerId,
          ...(latencyMs === null ? {} : { latencyMs }),
        },
      })
    }
    return results.sort((a, b) => b.score - a.score).slice(0, input.limit ?? 20)
  }
}
