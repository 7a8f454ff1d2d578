import {
  generateKeyPair,
  signJws,
  toBase64url,
  randomBytes,
  type KeyPair,
} from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryBus } from '../../../src/adapters/bus/memory-bus.js'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { systemTimers } from '../../../src/adapters/system/system-timers.js'
import { systemRandom } from '../../../src/adapters/system/system-random.js'
import type { Caller } from '../../../src/core/auth/caller.js'
import { NegotiationService } from '../../../src/core/negotiation/negotiation-service.js'
import type {
  ContractTerms,
  OfferRequester,
} from '../../../src/core/negotiation/negotiation-types.js'
import type { Store } from '../../../src/core/store.js'
import { candidate, ListDirectory, Recorder } from '../tasks/task-doubles.js'

const requesterKey = generateKeyPair()
const requester: Caller = { did: requesterKey.did, roles: ['client'] }
const providerKey = generateKeyPair()

class TestClock {
  nowMs = 1_900_000_000_000
  now = () => this.nowMs
}

function terms(key: KeyPair, intentId: string, over: Partial<ContractTerms> = {}): ContractTerms {
  return {
    contract: `offer_${toBase64url(randomBytes(8))}`,
    intent: intentId,
    requester: requester.did,
    provider: key.did,
    capability: 'text.echo',
    price: { amount: '0.004', currency: 'USD' },
    validUntil: new Date(1_900_000_060_000).toISOString(),
    ...over,
  }
}

describe('NegotiationService', () => {
  let store: Store
  let clock: TestClock
  let negotiation: NegotiationService
  let asked: string[]

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    clock = new TestClock()
    asked = []
    const offers: OfferRequester = { requestOffers: (agentIds) => asked.push(...agentIds) }
    negotiation = new NegotiationService(
      {
        store: store.negotiation,
        directory: new ListDirectory([candidate(providerKey.did)]),
        offers,
        audit: new Recorder(),
        clock,
        random: systemRandom,
        bus: new MemoryBus(),
        timers: systemTimers,
      },
      { defaultWindowMs: 2000, maxWindowMs: 30_000, maxProviders: 10 },
    )
  })
  afterEach(() => store.close())

  const open = () =>
    negotiation.open(requester, {
      capability: 'text.echo',
      maxPriceMicros: 10_000n,
      currency: 'USD',
    })

  it('asks matching providers, takes their signed offers, and makes a contract both sides signed', async () => {
    const intent = await open()
    expect(asked).toEqual([providerKey.did])
    const offerTerms = terms(providerKey, intent.id)
    await negotiation.receiveOffer(providerKey.did, intent.id, signJws(offerTerms, providerKey))
    const withOffer = await negotiation.intent(requester, intent.id)
    expect(withOffer.offers).toHaveLength(1)
    const contract = await negotiation.accept(
      requester,
      intent.id,
      offerTerms.contract,
      signJws(offerTerms, requesterKey),
    )
    expect(contract).toMatchObject({ id: offerTerms.contract, state: 'active', terms: offerTerms })
    await expect(negotiation.usable(requester, contract.id)).resolves.toMatchObject({
      priceMicros: 4000n,
    })
  })

  it('refuses offers after the window, over the price, or signed by another key', async () => {
    const intent = await open()
    await expect(
      negotiation.receiveOffer(
        providerKey.did,
        intent.id,
        signJws(
          terms(providerKey, intent.id, { price: { amount: '0.02', currency: 'USD' } }),
          providerKey,
        ),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    const mallory = generateKeyPair()
    await expect(
      negotiation.receiveOffer(
        providerKey.did,
        intent.id,
        signJws(terms(providerKey, intent.id), mallory),
      ),
    ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' })
    clock.nowMs += 2001
    await expect(
      negotiation.receiveOffer(
        providerKey.did,
        intent.id,
        signJws(terms(providerKey, intent.id), providerKey),
      ),
    ).rejects.toMatchObject({ code: 'INTENT_CLOSED' })
  })

  it('refuses an expired offer, terms the requester did not sign, and a second acceptance', async () => {
    const intent = await open()
    const offerTerms = terms(providerKey, intent.id)
    await negotiation.receiveOffer(providerKey.did, intent.id, signJws(offerTerms, providerKey))
    await expect(
      negotiation.accept(
        requester,
        intent.id,
        offerTerms.contract,
        signJws({ ...offerTerms, price: { amount: '0.001', currency: 'USD' } }, requesterKey),
      ),
    ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' })
    await negotiation.accept(
      requester,
      intent.id,
      offerTerms.contract,
      signJws(offerTerms, requesterKey),
    )
    await expect(
      negotiation.accept(
        requester,
        intent.id,
        offerTerms.contract,
        signJws(offerTerms, requesterKey),
      ),
    ).rejects.toMatchObject({ code: 'OFFER_ALREADY_ACCEPTED' })
    clock.nowMs += 60_001
    await expect(negotiation.usable(requester, offerTerms.contract)).rejects.toMatchObject({
      code: 'CONTRACT_EXPIRED',
      message: expect.stringMatching(/expired/),
    })
  })

  it('refuses tasks under a canceled contract, and hides contracts from third parties', async () => {
    const intent = await open()
    const offerTerms = terms(providerKey, intent.id)
    await negotiation.receiveOffer(providerKey.did, intent.id, signJws(offerTerms, providerKey))
    await negotiation.accept(
      requester,
      intent.id,
      offerTerms.contract,
      signJws(offerTerms, requesterKey),
    )
    await expect(
      negotiation.contract({ did: generateKeyPair().did, roles: ['client'] }, offerTerms.contract),
    ).rejects.toMatchObject({ code: 'CONTRACT_NOT_FOUND' })
    await negotiation.cancel({ did: providerKey.did, roles: ['agent'] }, offerTerms.contract)
    await expect(negotiation.usable(requester, offerTerms.contract)).rejects.toMatchObject({
      code: 'CONTRACT_CANCELED',
      message: expect.stringMatching(/canceled/),
    })
  })

  it('names each refusal with its own code', async () => {
    await expect(
      negotiation.receiveOffer(providerKey.did, 'intent_none', signJws({}, providerKey)),
    ).rejects.toMatchObject({ code: 'INTENT_NOT_FOUND', status: 404 })
    await expect(negotiation.intent(requester, 'intent_none')).rejects.toMatchObject({
      code: 'INTENT_NOT_FOUND',
    })
    const intent = await open()
    const offerTerms = terms(providerKey, intent.id)
    await negotiation.receiveOffer(providerKey.did, intent.id, signJws(offerTerms, providerKey))
    await expect(
      negotiation.receiveOffer(
        providerKey.did,
        intent.id,
        signJws(terms(providerKey, intent.id), providerKey),
      ),
    ).rejects.toMatchObject({ code: 'OFFER_EXISTS', status: 409 })
    const signed = signJws(offerTerms, requesterKey)
    await expect(
      negotiation.accept(requester, intent.id, 'offer_none', signed),
    ).rejects.toMatchObject({ code: 'OFFER_NOT_FOUND', status: 404 })
    clock.nowMs += 60_001
    await expect(
      negotiation.accept(requester, intent.id, offerTerms.contract, signed),
    ).rejects.toMatchObject({ code: 'OFFER_EXPIRED', status: 409 })
  })

  it('refuses to cancel a contract twice', async () => {
    const intent = await open()
    const offerTerms = terms(providerKey, intent.id)
    await negotiation.receiveOffer(providerKey.did, intent.id, signJws(offerTerms, providerKey))
    await negotiation.accept(
      requester,
      intent.id,
      offerTerms.contract,
      signJws(offerTerms, requesterKey),
    )
    await negotiation.cancel(requester, offerTerms.contract)
    await expect(negotiation.cancel(requester, offerTerms.contract)).rejects.toMatchObject({
      code: 'CONTRACT_CANCELED',
      status: 409,
    })
  })
})
