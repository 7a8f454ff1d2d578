import {
  capabilityIdSchema,
  moneySchema,
  parseMoney,
  toMoney,
  type ContractView,
  type IntentView,
  type Money,
} from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { Clock } from '../../core/ports/clock.js'
import type { NegotiationService } from '../../core/negotiation/negotiation-service.js'
import type { Contract, Intent } from '../../core/negotiation/negotiation-types.js'
import { callerOf } from '../auth-hook.js'

/** The longest `GET /v1/intents/:id?wait=MS` waits: the longest window. */
const MAX_WAIT_MS = 30_000
const iso = (ms: number) => new Date(ms).toISOString()
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 200 } },
} as const

function intentView(intent: Intent, nowMs: number): IntentView {
  return {
    id: intent.id,
    state: intent.acceptedOfferId ? 'accepted' : nowMs < intent.closesAtMs ? 'open' : 'closed',
    capability: intent.capabilityId,
    input: intent.input,
    maxPrice: toMoney(intent.maxPriceMicros, intent.currency),
    createdAt: iso(intent.createdAtMs),
    closesAt: iso(intent.closesAtMs),
    acceptedOfferId: intent.acceptedOfferId,
    offers: intent.offers.map((o) => ({
      id: o.id,
      provider: o.provider,
      price: toMoney(o.priceMicros, o.currency),
      validUntil: iso(o.validUntilMs),
      terms: o.terms,
      providerSignature: o.providerSignature,
    })),
  }
}

function contractView(contract: Contract): ContractView {
  return {
    id: contract.id,
    state: contract.state,
    terms: contract.terms,
    providerSignature: contract.providerSignature,
    requesterSignature: contract.requesterSignature,
    createdAt: iso(contract.createdAtMs),
    canceledAt: contract.canceledAtMs === null ? null : iso(contract.canceledAtMs),
  }
}

/** Intents, offers and contracts. */
export function negotiationRoutes(
  app: FastifyInstance,
  negotiation: NegotiationService,
  clock: Clock,
): void {
  app.post<{ Body: { capability: string; input?: unknown; maxPrice: Money; windowMs?: number } }>(
    '/v1/intents',
    {
      schema: {
        tags: ['negotiation'],
        summary:
          'Open an intent: matching online providers answer with signed offers within the window',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['capability', 'maxPrice'],
          properties: {
            capability: capabilityIdSchema,
            input: {},
            maxPrice: moneySchema,
            windowMs: { type: 'integer', minimum: 100, maximum: 30_000 },
          },
        },
      },
    },
    async (request, reply) => {
      const { maxPrice, ...rest } = request.body
      const { micros, currency } = parseMoney(maxPrice)
      const intent = await negotiation.open(callerOf(request), {
        ...rest,
        maxPriceMicros: micros,
        currency,
      })
      return reply.status(201).send(intentView(intent, clock.now()))
    },
  )

  app.get<{ Params: { id: string }; Querystring: { wait?: number } }>(
    '/v1/intents/:id',
    {
      schema: {
        tags: ['negotiation'],
        summary: 'Read an intent with its offers; ?wait=MS waits for them',
        description:
          'With `wait` (at most 30000 ms), answers once every asked provider has offered or the window has closed, or when `wait` runs out, whichever comes first.',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { wait: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS } },
        },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const { id } = request.params
      const wait = request.query.wait ?? 0
      const intent = wait
        ? await negotiation.waitForOffers(caller, id, wait)
        : await negotiation.intent(caller, id)
      return intentView(intent, clock.now())
    },
  )

  app.post<{ Params: { id: string }; Body: { offerId: string; signature: string } }>(
    '/v1/intents/:id/accept',
    {
      schema: {
        tags: ['negotiation'],
        summary:
          'Accept an offer: sign its terms (compact JWS, EdDSA over their canonical JSON) to make the contract',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['offerId', 'signature'],
          properties: {
            offerId: { type: 'string', maxLength: 200 },
            signature: { type: 'string', maxLength: 8192 },
          },
        },
      },
    },
    async (request, reply) => {
      const contract = await negotiation.accept(
        callerOf(request),
        request.params.id,
        request.body.offerId,
        request.body.signature,
      )
      return reply.status(201).send(contractView(contract))
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/contracts/:id',
    {
      schema: {
        tags: ['negotiation'],
        summary: 'Read a contract (either party)',
        params: idParams,
      },
    },
    async (request) =>
      contractView(await negotiation.contract(callerOf(request), request.params.id)),
  )

  app.post<{ Params: { id: string } }>(
    '/v1/contracts/:id/cancel',
    {
      schema: {
        tags: ['negotiation'],
        summary: 'Cancel a contract (either party)',
        params: idParams,
      },
    },
    async (request) => contractView(await negotiation.cancel(callerOf(request), request.params.id)),
  )
}
