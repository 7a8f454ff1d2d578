import { MeshError, moneySchema, type Money } from '@agentmesh/protocol'
import type { FastifyInstance } from 'fastify'
import type { Caller } from '../../core/auth/caller.js'
import { errorCodeOf, transferError } from '../../core/ledger/transfer-errors.js'
import type { TransferInput } from '../../core/ledger/types.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import {
  accountOf,
  accountView,
  accountViewSchema,
  isAdmin,
  requireOwner,
  shownTransferId,
  transferView,
  transferViewSchema,
} from './ledger-views.js'
import {
  postBody,
  scopedTransferId,
  toInput,
  transferBody,
  transferId,
  voidBody,
  type BatchItem,
  type TransferBody,
} from './transfer-input.js'

/** Accounts, transfers (immediate, pending, post, void, batches) and the ledger check. */
export function ledgerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['ledger']

  /** Creates one transfer: 201 when new, 200 when a retry finds it, the catalogue's error otherwise. */
  const createOne = async (
    caller: Caller,
    item: BatchItem,
    reply: { status(code: number): unknown },
  ) => {
    const input = await toInput(ctx, caller, { ...item, linked: false })
    const [result] = await ctx.ledger.createTransfers([input], caller.did)
    if (!result?.transfer)
      throw transferError({ ...result!, id: shownTransferId(result!.id, caller.did) }, input)
    reply.status(result.result === 'ok' ? 201 : 200)
    return transferView(result.transfer, caller.did)
  }
  const created = { 200: transferViewSchema, 201: transferViewSchema }

  app.post<{ Body: TransferBody }>(
    '/v1/transfers',
    {
      schema: {
        tags,
        summary: 'Transfer money from an account you own (admin only for code "mint")',
        description:
          'Ids are chosen by the client and belong to it (two principals may use the same id): a retry with the same id and fields answers 200 with the same transfer; the same id with other fields is 409. With `timeoutMs` the transfer is pending: post or void it, or it is voided when the timeout passes. Codes other than "transfer" and "mint" are the node\'s own.',
        body: transferBody,
        response: created,
      },
    },
    (request, reply) => createOne(callerOf(request), request.body, reply),
  )

  app.post<{ Params: { id: string }; Body: { id: string; amount?: Money } }>(
    '/v1/transfers/:id/post',
    {
      schema: {
        tags,
        summary:
          'Post a pending transfer, all of it or part (the rest returns to the debit account)',
        params: { type: 'object', properties: { id: { type: 'string' } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id: transferId, amount: moneySchema },
        },
        response: created,
      },
    },
    (request, reply) =>
      createOne(callerOf(request), { ...request.body, post: request.params.id }, reply),
  )

  app.post<{ Params: { id: string }; Body: { id: string } }>(
    '/v1/transfers/:id/void',
    {
      schema: {
        tags,
        summary: 'Void a pending transfer: the whole amount returns to the debit account',
        params: { type: 'object', properties: { id: { type: 'string' } } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id: transferId },
        },
        response: created,
      },
    },
    (request, reply) =>
      createOne(callerOf(request), { ...request.body, void: request.params.id }, reply),
  )

  app.post<{ Body: { transfers: BatchItem[] } }>(
    '/v1/transfers/batch',
    {
      schema: {
        tags,
        summary: 'Create up to 100 transfers in one call; each item answers with its own result',
        description:
          'Items are transfers, `{id, post: PENDING_ID, amount?}` or `{id, void: PENDING_ID}`. A run of items with `linked: true` and the item after it succeed or fail together.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['transfers'],
          properties: {
            transfers: {
              type: 'array',
              minItems: 1,
              maxItems: 100,
              items: { oneOf: [transferBody, postBody, voidBody] },
            },
          },
        },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const inputs: TransferInput[] = []
      for (const item of request.body.transfers) inputs.push(await toInput(ctx, caller, item))
      const results = await ctx.ledger.createTransfers(inputs, caller.did)
      return {
        results: results.map((r, i) => {
          const code = errorCodeOf(r.result)
          const shown = { ...r, id: shownTransferId(r.id, caller.did) }
          return {
            id: shown.id,
            result: r.result,
            ...(r.transfer ? { transfer: transferView(r.transfer, caller.did) } : {}),
            ...(code ? { error: transferError(shown, inputs[i]).toWire() } : {}),
          }
        }),
      }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/transfers/:id',
    {
      schema: {
        tags,
        summary: 'Read a transfer (either side, or an admin)',
        description:
          "An id you chose finds your own transfer only; another principal's reads as `DID/ID` (URL-encoded), when you are on either side of it",
        response: { 200: transferViewSchema },
      },
    },
    async (request) => {
      const caller = callerOf(request)
      const t = await ctx.ledger.getTransfer(scopedTransferId(caller, request.params.id))
      const mine =
        t && [t.debitAccount, t.creditAccount].some((a) => accountOf(a).owner === caller.did)
      if (!t || !(mine || isAdmin(caller)))
        throw new MeshError('TRANSFER_NOT_FOUND', `Transfer "${request.params.id}" does not exist`)
      return transferView(t, caller.did)
    },
  )

  app.get<{ Params: { id: string } }>(
    '/v1/accounts/:id',
    {
      schema: {
        tags,
        summary: 'Balance of an account (`DID:CURRENCY`): posted, pending, available',
        response: { 200: accountViewSchema },
      },
    },
    async (request) => {
      requireOwner(callerOf(request), request.params.id, 'read it')
      return accountView(await ctx.ledger.accountOrEmpty(request.params.id))
    },
  )

  app.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string } }>(
    '/v1/accounts/:id/transfers',
    {
      schema: {
        tags,
        summary: 'Transfers in and out of an account, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', pattern: '^[0-9]+_.+$' },
          },
        },
      },
    },
    async (request) => {
      requireOwner(callerOf(request), request.params.id, 'read it')
      const { limit, cursor } = request.query
      const cut = cursor?.indexOf('_') ?? -1
      const before =
        cursor && cut > 0
          ? { createdAtMs: Number(cursor.slice(0, cut)), id: cursor.slice(cut + 1) }
          : undefined
      const page = await ctx.ledger.history(request.params.id, {
        limit,
        ...(before ? { before } : {}),
      })
      const last = page[page.length - 1]
      return {
        transfers: page.map((t) => transferView(t, callerOf(request).did)),
        ...(last && page.length === limit ? { nextCursor: `${last.createdAtMs}_${last.id}` } : {}),
      }
    },
  )

  app.get(
    '/v1/ledger/verify',
    {
      config: { access: ['admin'] },
      schema: {
        tags,
        summary: 'Recompute every balance from the transfers and check the invariants (admin)',
      },
    },
    () => ctx.ledger.verify(),
  )
}
