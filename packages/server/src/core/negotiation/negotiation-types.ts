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

/** Intents, offers and contracts as stored. */
export interface NegotiationStore {
  insertIntent(intent: Intent): Promise<void>
  getIntent(id: string): Promise<Intent | undefined>
  /** Adds an offer; answers false when the provider already offered on this intent. */
  addOffer(intentId: string, offer: Offer): Promise<boolean>
  /** Marks the offer accepted, once: answers false when the intent already has an accepted offer. */
  acceptOffer(intentId: string, offerId: string): Promise<boolean>
  insertContract(contract: Contract): Promise<void>
  getContract(id: string): Promise<Contract | undefined>
  /** Cancels an active contract; answers false when it was not active. */
  cancelContract(id: string, atMs: number): Promise<boolean>
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
