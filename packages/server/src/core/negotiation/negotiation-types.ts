/** What both sides sign: a provider's offer for an intent, at a price, until a time. */
export interface ContractTerms {
  contract: string
  intent: string
  requester: string
  provider: string
  capability: string
  price: { amount: string; currency: string }
  /** ISO 8601: the offer can be accepted, and the contract used, until then. */
  validUntil: string
}

export interface Offer {
  id: string
  provider: string
  priceMicros: bigint
  currency: string
  validUntilMs: number
  /** The provider's JWS over the terms. */
  providerSignature: string
  terms: ContractTerms
  receivedAtMs: number
}

/** A request for offers, open for a window. */
export interface Intent {
  id: string
  requester: string
  capabilityId: string
  input: unknown
  maxPriceMicros: bigint
  currency: string
  createdAtMs: number
  closesAtMs: number
  acceptedOfferId: string | null
  /** The providers asked for an offer. */
  asked: string[]
  offers: Offer[]
}

export interface Contract {
  id: string
  terms: ContractTerms
  providerSignature: string
  requesterSignature: string
  state: 'active' | 'canceled'
  createdAtMs: number
  canceledAtMs: number | null
}

/** Sends offer requests to providers (the agent gateway). */
export interface OfferRequester {
  requestOffers(
    agentIds: string[],
    request: {
      intentId: string
      requester: string
      capabilityId: string
      input: unknown
      maxPrice: { amount: string; currency: string }
      closesAt: string
    },
  ): void
}
