import type { Kysely } from 'kysely'
import type { Contract, Intent, Offer } from '../../core/negotiation/negotiation-types.js'
import type { NegotiationStore } from '../../core/negotiation/negotiation-store.js'
import { toMsOrNull, type Database } from './database.js'
import { fromDocument, toDocument } from './json-document.js'
import type { StoreDialect } from './store-dialect.js'

/** Intents, offers and contracts on Kysely. */
export class KyselyNegotiationStore implements NegotiationStore {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
  ) {}

  async insertIntent(intent: Intent): Promise<void> {
    const { offers: _offers, ...rest } = intent
    await this.db
      .insertInto('intents')
      .values({
        id: intent.id,
        requester: intent.requester,
        accepted_offer_id: null,
        document: toDocument(rest),
      })
      .execute()
  }

  async getIntent(id: string): Promise<Intent | undefined> {
    const row = await this.db
      .selectFrom('intents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) return undefined
    const offers = await this.db
      .selectFrom('offers')
      .select('document')
      .where('intent_id', '=', id)
      .orderBy('id')
      .execute()
    return {
      ...fromDocument<Omit<Intent, 'offers'>>(row.document),
      acceptedOfferId: row.accepted_offer_id,
      offers: offers.map((o) => fromDocument<Offer>(o.document)),
    }
  }

  async addOffer(intentId: string, offer: Offer): Promise<boolean> {
    try {
      await this.db
        .insertInto('offers')
        .values({
          id: offer.id,
          intent_id: intentId,
          provider: offer.provider,
          document: toDocument(offer),
        })
        .execute()
      return true
    } catch (error) {
      if (this.dialect.isUniqueViolation(error)) return false
      throw error
    }
  }

  async acceptOffer(intentId: string, offerId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('intents')
      .set({ accepted_offer_id: offerId })
      .where('id', '=', intentId)
      .where('accepted_offer_id', 'is', null)
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  async insertContract(contract: Contract): Promise<void> {
    await this.db
      .insertInto('contracts')
      .values({
        id: contract.id,
        requester: contract.terms.requester,
        provider: contract.terms.provider,
        state: contract.state,
        canceled_at: contract.canceledAtMs,
        document: toDocument(contract),
      })
      .execute()
  }

  async getContract(id: string): Promise<Contract | undefined> {
    const row = await this.db
      .selectFrom('contracts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) return undefined
    const contract = fromDocument<Contract>(row.document)
    return {
      ...contract,
      state: row.state as Contract['state'],
      canceledAtMs: toMsOrNull(row.canceled_at),
    }
  }

  async cancelContract(id: string, atMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('contracts')
      .set({ state: 'canceled', canceled_at: atMs })
      .where('id', '=', id)
      .where('state', '=', 'active')
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }
}
