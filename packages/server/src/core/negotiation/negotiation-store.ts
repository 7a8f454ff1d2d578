import type { Contract, Intent, Offer } from './negotiation-types.js'

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
