import { formatAmount, MeshError, parseAmount, verifyJws } from '@agentmesh/protocol'
import type { Caller } from '../auth/caller.js'
import { newId } from '../ids.js'
import type { AuditSink } from '../ports/audit-sink.js'
import type { Bus } from '../ports/bus.js'
import type { Clock } from '../ports/clock.js'
import type { ProviderDirectory } from '../ports/provider-directory.js'
import type { Random } from '../ports/random.js'
import type { Timers } from '../ports/timers.js'
import type { Contract, ContractTerms, Intent, OfferRequester } from './negotiation-types.js'
import type { NegotiationStore } from './negotiation-store.js'

export interface NegotiationDeps {
  store: NegotiationStore
  directory: ProviderDirectory
  offers: OfferRequester
  audit: AuditSink
  clock: Clock
  random: Random
  bus: Bus
  timers: Timers
}

export interface NegotiationOptions {
  defaultWindowMs: number
  maxWindowMs: number
  maxProviders: number
}

const sameTerms = (a: ContractTerms, b: ContractTerms) =>
  a.contract === b.contract &&
  a.intent === b.intent &&
  a.requester === b.requester &&
  a.provider === b.provider &&
  a.capability === b.capability &&
  a.price.amount === b.price.amount &&
  a.price.currency === b.price.currency &&
  a.validUntil === b.validUntil

/**
 * Negotiation: an intent reaches matching online providers; each may answer within the window
 * with a signed offer; the requester accepts one by signing the same terms, which makes a contract
 * both sides signed. A task run under the contract goes to its provider at its price.
 */
export class NegotiationService {
  readonly #deps: NegotiationDeps
  readonly #options: NegotiationOptions

  constructor(deps: NegotiationDeps, options: NegotiationOptions) {
    this.#deps = deps
    this.#options = options
  }

  /** Opens an intent and asks the matching providers for offers. */
  async open(
    caller: Caller,
    request: {
      capability: string
      input?: unknown
      maxPriceMicros: bigint
      currency: string
      windowMs?: number
    },
  ): Promise<Intent> {
    const windowMs = request.windowMs ?? this.#options.defaultWindowMs
    if (windowMs > this.#options.maxWindowMs) {
      throw new MeshError(
        'INVALID_INPUT',
        `Window ${windowMs} ms is longer than ${this.#options.maxWindowMs} ms`,
      )
    }
    const providers = await this.#deps.directory.candidates({
      capabilityId: request.capability,
      currency: request.currency,
      limit: this.#options.maxProviders,
    })
    if (providers.length === 0 && !(await this.#deps.directory.knows(request.capability))) {
      throw new MeshError(
        'CAPABILITY_NOT_FOUND',
        `No agent offers the capability "${request.capability}"`,
      )
    }
    const now = this.#deps.clock.now()
    const intent: Intent = {
      id: newId('intent', this.#deps.clock, this.#deps.random),
      requester: caller.did,
      capabilityId: request.capability,
      input: request.input ?? null,
      maxPriceMicros: request.maxPriceMicros,
      currency: request.currency,
      createdAtMs: now,
      closesAtMs: now + windowMs,
      acceptedOfferId: null,
      asked: providers.map((p) => p.agentId),
      offers: [],
    }
    await this.#deps.store.insertIntent(intent)
    this.#deps.offers.requestOffers(
      providers.map((p) => p.agentId),
      {
        intentId: intent.id,
        requester: intent.requester,
        capabilityId: intent.capabilityId,
        input: intent.input,
        maxPrice: { amount: formatAmount(intent.maxPriceMicros), currency: intent.currency },
        closesAt: new Date(intent.closesAtMs).toISOString(),
      },
    )
    await this.#deps.audit.record({
      actor: caller.did,
      action: 'intent.opened',
      resource: `intent:${intent.id}`,
      result: 'ok',
    })
    return intent
  }

  /** Takes a provider's signed offer; refuses late, foreign, over-budget or mis-signed ones. */
  async receiveOffer(provider: string, intentId: string, providerSignature: string): Promise<void> {
    const intent = await this.#deps.store.getIntent(intentId)
    const now = this.#deps.clock.now()
    if (!intent) throw new MeshError('INTENT_NOT_FOUND', `Intent "${intentId}" does not exist`)
    if (now > intent.closesAtMs) throw new MeshError('INTENT_CLOSED', `Intent "${intentId}" closed`)
    const { payload: terms } = verifyJws<ContractTerms>(providerSignature, provider)
    const priceMicros = parseAmount(terms.price?.amount)
    const validUntilMs = Date.parse(terms.validUntil)
    if (
      terms.intent !== intentId ||
      terms.requester !== intent.requester ||
      terms.provider !== provider ||
      terms.capability !== intent.capabilityId ||
      terms.price.currency !== intent.currency ||
      !Number.isFinite(validUntilMs) ||
      validUntilMs <= now ||
      typeof terms.contract !== 'string' ||
      !terms.contract.startsWith('offer_')
    ) {
      throw new MeshError('INVALID_INPUT', 'Offer terms do not match the intent')
    }
    if (priceMicros > intent.maxPriceMicros)
      throw new MeshError('INVALID_INPUT', "Offer is above the intent's price")
    const added = await this.#deps.store.addOffer(intentId, {
      id: terms.contract,
      provider,
      priceMicros,
      currency: terms.price.currency,
      validUntilMs,
      providerSignature,
      terms,
      receivedAtMs: now,
    })
    if (!added)
      throw new MeshError('OFFER_EXISTS', `Provider already offered on intent "${intentId}"`)
    await this.#deps.bus.publish(`intent.${intentId}`, { type: 'offer', provider })
  }

  /**
   * Reads an intent once every asked provider has offered or its window has closed, or after
   * `waitMs`, whichever comes first.
   */
  async waitForOffers(caller: Caller, id: string, waitMs: number): Promise<Intent> {
    const settled = (intent: Intent) =>
      intent.offers.length >= intent.asked.length || this.#deps.clock.now() >= intent.closesAtMs
    const first = await this.intent(caller, id)
    if (settled(first) || waitMs <= 0) return first
    await new Promise<void>((resolve) => {
      const limitMs = Math.min(waitMs, first.closesAtMs - this.#deps.clock.now())
      const done = () => {
        cancelTimer()
        unsubscribe()
        resolve()
      }
      const cancelTimer = this.#deps.timers.setTimeout(done, Math.max(0, limitMs))
      const unsubscribe = this.#deps.bus.subscribe(`intent.${id}`, () => {
        void this.intent(caller, id).then((intent) => settled(intent) && done(), done)
      })
      // An offer may have landed between the first read and the subscription.
      void this.intent(caller, id).then((intent) => settled(intent) && done(), done)
    })
    return this.intent(caller, id)
  }

  /** Reads an intent with its offers (its requester, or an admin). */
  async intent(caller: Caller, id: string): Promise<Intent> {
    const intent = await this.#deps.store.getIntent(id)
    if (!intent || (intent.requester !== caller.did && !caller.roles.includes('admin'))) {
      throw new MeshError('INTENT_NOT_FOUND', `Intent "${id}" does not exist or is not yours`)
    }
    return intent
  }

  /** Accepts an offer with the requester's signature over its terms: a contract both signed. */
  async accept(
    caller: Caller,
    intentId: string,
    offerId: string,
    requesterSignature: string,
  ): Promise<Contract> {
    const intent = await this.intent(caller, intentId)
    const offer = intent.offers.find((o) => o.id === offerId)
    if (!offer)
      throw new MeshError('OFFER_NOT_FOUND', `Offer "${offerId}" is not on intent "${intentId}"`)
    const now = this.#deps.clock.now()
    if (offer.validUntilMs <= now)
      throw new MeshError('OFFER_EXPIRED', `Offer "${offerId}" expired`)
    const { payload } = verifyJws<ContractTerms>(requesterSignature, caller.did)
    if (!sameTerms(payload, offer.terms)) {
      throw new MeshError('SIGNATURE_INVALID', "The signature does not cover the offer's terms")
    }
    if (!(await this.#deps.store.acceptOffer(intentId, offerId))) {
      throw new MeshError(
        'OFFER_ALREADY_ACCEPTED',
        `Intent "${intentId}" already has an accepted offer`,
      )
    }
    const contract: Contract = {
      id: offer.id,
      terms: offer.terms,
      providerSignature: offer.providerSignature,
      requesterSignature,
      state: 'active',
      createdAtMs: now,
      canceledAtMs: null,
    }
    await this.#deps.store.insertContract(contract)
    await this.#deps.audit.record({
      actor: caller.did,
      action: 'contract.signed',
      resource: `contract:${contract.id}`,
      result: 'ok',
      details: { provider: offer.provider, price: offer.terms.price },
    })
    return contract
  }

  /** Reads a contract (either party, or an admin). */
  async contract(caller: Caller, id: string): Promise<Contract> {
    const contract = await this.#deps.store.getContract(id)
    const party =
      contract &&
      (contract.terms.requester === caller.did || contract.terms.provider === caller.did)
    if (!contract || (!party && !caller.roles.includes('admin'))) {
      throw new MeshError('CONTRACT_NOT_FOUND', `Contract "${id}" does not exist or is not yours`)
    }
    return contract
  }

  /** Cancels a contract; later tasks under it are refused. */
  async cancel(caller: Caller, id: string): Promise<Contract> {
    const contract = await this.contract(caller, id)
    if (!(await this.#deps.store.cancelContract(id, this.#deps.clock.now()))) {
      throw new MeshError('CONTRACT_CANCELED', `Contract "${id}" is not active`)
    }
    await this.#deps.audit.record({
      actor: caller.did,
      action: 'contract.canceled',
      resource: `contract:${id}`,
      result: 'ok',
    })
    return { ...contract, state: 'canceled', canceledAtMs: this.#deps.clock.now() }
  }

  /**
   * The provider a task under a contract goes to, at the contract's price. Refuses a contract
   * that is canceled, expired, or not the caller's.
   */
  async usable(
    caller: Caller,
    contractId: string,
  ): Promise<{ contract: Contract; priceMicros: bigint }> {
    const contract = await this.#deps.store.getContract(contractId)
    if (!contract || contract.terms.requester !== caller.did) {
      throw new MeshError(
        'CONTRACT_NOT_FOUND',
        `Contract "${contractId}" does not exist or is not yours`,
      )
    }
    if (contract.state !== 'active')
      throw new MeshError('CONTRACT_CANCELED', `Contract "${contractId}" was canceled`)
    if (Date.parse(contract.terms.validUntil) <= this.#deps.clock.now()) {
      throw new MeshError('CONTRACT_EXPIRED', `Contract "${contractId}" expired`)
    }
    return { contract, priceMicros: parseAmount(contract.terms.price.amount) }
  }
}
