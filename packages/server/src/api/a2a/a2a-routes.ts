import { AgentCard } from '@a2a-js/sdk'
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server'
import { JsonRpcTransportHandler, ServerCallContext } from '@a2a-js/sdk/server'
import { A2A_ERROR_CODE, VersionNotSupportedError } from '@a2a-js/sdk/errors'
import { MeshError, type Capability } from '@agentmesh/protocol'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { reservationFor } from '../../core/ledger/pricing.js'
import { callerOf } from '../auth-hook.js'
import type { ApiContext } from '../context.js'
import { jsonRpcErrorHandler } from '../errors.js'
import { meshJsonRpcError, publicRpcError } from './a2a-errors.js'
import { a2aCard } from './a2a-card.js'
import { checkRpcRequest } from './a2a-request-check.js'
import { legacyCard } from './legacy-card.js'
import { MeshA2AHandler, type A2ATarget } from './mesh-a2a-handler.js'
import type { PriceSource } from './message-terms.js'

const VERSION_HEADER = 'a2a-version'
const SUPPORTED_VERSIONS = ['1.0', '0.3']
/** How many of the mesh's capabilities the node's card lists as skills. */
const MAX_NODE_SKILLS = 200

const agentParams = {
  type: 'object',
  required: ['agentId'],
  properties: { agentId: { type: 'string', maxLength: 200 } },
} as const

type AgentRequest = FastifyRequest<{ Params: { agentId: string } }>

/**
 * A2A over JSON-RPC (protocol 1.0, and 0.3 when a request says `A2A-Version: 0.3` or nothing;
 * a card without the header is the 1.0 card with 0.3's fields beside it):
 * every registered agent at `/a2a/:agentId` with its public card, the node at `/a2a` with its
 * card at `/.well-known/agent-card.json`. JSON-RPC needs the node's bearer token; the caller pays.
 */
export function a2aRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const open = new Set<AbortController>()
  app.addHook('preClose', (done) => {
    for (const controller of open) controller.abort()
    done()
  })
  const prices: PriceSource = {
    listPrice: async (capabilityId) => {
      const candidates = await ctx.discovery.candidates({ capabilityId, limit: 5 })
      let best: { micros: bigint; currency: string } | undefined
      for (const c of candidates) {
        const micros = reservationFor(c.capability.pricing)
        if (!best || (c.capability.pricing.currency === best.currency && micros > best.micros))
          best = { micros, currency: c.capability.pricing.currency }
      }
      return best
    },
  }
  const baseUrl = (request: FastifyRequest) => `${request.protocol}://${request.host}`

  const agentTarget = async (request: AgentRequest): Promise<A2ATarget> => {
    const { agentId } = request.params
    const card = await ctx.registry.get(agentId)
    if (!card) throw new MeshError('AGENT_NOT_FOUND', `Agent "${agentId}" is not registered`)
    const base = baseUrl(request)
    return {
      agentId,
      capabilities: card.capabilities,
      card: a2aCard({
        name: card.name,
        description: card.description,
        version: String(card.version),
        url: `${base}/a2a/${encodeURIComponent(agentId)}`,
        nodeUrl: base,
        capabilities: card.capabilities,
      }),
    }
  }

  const nodeTarget = async (request: FastifyRequest): Promise<A2ATarget> => {
    const capabilities = await meshCapabilities(ctx)
    const base = baseUrl(request)
    return {
      agentId: undefined,
      capabilities,
      card: a2aCard({
        name: 'agentmesh node',
        description:
          'Every capability of the mesh; each task goes to the best-ranked online provider',
        version: ctx.version,
        url: `${base}/a2a`,
        nodeUrl: base,
        capabilities,
      }),
    }
  }

  const sendCard = (request: FastifyRequest, reply: FastifyReply, card: AgentCard) => {
    // A client that has not negotiated yet reads the 1.0 card (with the 0.3 fields beside it);
    // `A2A-Version: 0.3` asks for the 0.3 card alone.
    const version = request.headers[VERSION_HEADER]
    void reply.header('vary', 'A2A-Version')
    if (version === '0.3') return legacyCard(card)
    const current = AgentCard.toJSON(card) as Record<string, unknown>
    return version === '1.0' ? current : { ...legacyCard(card), ...current }
  }

  const cardOptions = (summary: string) => ({
    config: { access: 'public' as const },
    schema: { tags: ['a2a'], summary },
  })
  app.get(
    '/.well-known/agent-card.json',
    cardOptions("The node's A2A agent card"),
    async (request, reply) => sendCard(request, reply, (await nodeTarget(request)).card),
  )
  for (const path of ['/a2a/:agentId', '/a2a/:agentId/.well-known/agent-card.json']) {
    app.get<{ Params: { agentId: string } }>(
      path,
      { ...cardOptions("An agent's A2A card"), schema: { tags: ['a2a'], params: agentParams } },
      async (request, reply) => sendCard(request, reply, (await agentTarget(request)).card),
    )
  }

  const rpc = async (
    request: FastifyRequest,
    reply: FastifyReply,
    target: () => Promise<A2ATarget>,
  ) => {
    const caller = callerOf(request)
    // The envelope first: a malformed request is -32600/-32602 in either version (HTTP 200).
    const check = checkRpcRequest(request.body)
    const id = check.id
    if (check.error) return reply.send({ jsonrpc: '2.0', id, error: check.error })
    let resolved: A2ATarget
    try {
      resolved = await target()
    } catch (error) {
      if (!(error instanceof MeshError)) throw error
      return reply.status(error.status).send({ jsonrpc: '2.0', id, error: meshJsonRpcError(error) })
    }
    const version = request.headers[VERSION_HEADER]
    const requested = typeof version === 'string' && version !== '' ? version : '0.3'
    const legacy = requested === '0.3'
    const log = (detail: unknown) => request.log.error({ detail }, 'A2A request failed')
    const mapError = (e: unknown) =>
      publicRpcError(
        legacy
          ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError(e)
          : JsonRpcTransportHandler.mapToJSONRPCError(e),
        log,
      )
    if (!SUPPORTED_VERSIONS.includes(requested)) {
      const error = new VersionNotSupportedError(
        `A2A version "${requested}" is not supported: use 1.0 or 0.3`,
      )
      return reply.send({ jsonrpc: '2.0', id, error: mapError(error) })
    }
    const controller = new AbortController()
    open.add(controller)
    request.raw.on('close', () => controller.abort())
    try {
      const handler = new MeshA2AHandler(
        { tasks: ctx.tasks, prices, push: ctx.push, pushConfigs: ctx.store.pushConfigs },
        caller,
        resolved,
        controller.signal,
      )
      const transport = legacy
        ? new LegacyJsonRpcTransportHandler(handler)
        : new JsonRpcTransportHandler(handler)
      const context = new ServerCallContext({ requestedVersion: requested })
      const result = await transport.handle(request.body as Record<string, unknown>, context)
      if (!(Symbol.asyncIterator in result)) {
        const answer = result as { error?: unknown }
        if (answer.error === undefined) return await reply.send(result)
        return await reply.send({ ...answer, error: publicRpcError(answer.error, log) })
      }
      return await streamEvents(reply, result, id, mapError)
    } finally {
      open.delete(controller)
    }
  }

  const meshErrors = jsonRpcErrorHandler(
    (mesh) => ({ ...meshJsonRpcError(mesh), message: `${mesh.code}: ${mesh.message}` }),
    ctx.store,
  )
  // A body that is not JSON is JSON-RPC's parse error (-32700, id null), not HTTP 400.
  const errorHandler: typeof meshErrors = (error, request, reply) => {
    const code = (error as { code?: unknown }).code
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      void reply.status(200).send({
        jsonrpc: '2.0',
        id: null,
        error: { code: A2A_ERROR_CODE.PARSE_ERROR, message: 'The body is not valid JSON' },
      })
      return
    }
    meshErrors(error, request, reply)
  }
  app.post(
    '/a2a',
    {
      schema: { tags: ['a2a'], summary: 'A2A JSON-RPC to the node (routes by discovery)' },
      errorHandler,
    },
    (request, reply) => rpc(request, reply, () => nodeTarget(request)),
  )
  app.post<{ Params: { agentId: string } }>(
    '/a2a/:agentId',
    {
      schema: { tags: ['a2a'], summary: 'A2A JSON-RPC to one agent', params: agentParams },
      errorHandler,
    },
    (request, reply) => rpc(request, reply, () => agentTarget(request)),
  )
}

/** Writes a JSON-RPC event stream as SSE; an error before the first event answers as plain JSON. */
async function streamEvents(
  reply: FastifyReply,
  stream: AsyncGenerator<unknown, void, undefined>,
  id: string | number | null,
  mapError: (error: unknown) => unknown,
): Promise<void> {
  let first: IteratorResult<unknown, void>
  try {
    first = await stream.next()
  } catch (error) {
    return reply.send({ jsonrpc: '2.0', id, error: mapError(error) })
  }
  reply.hijack()
  const raw = reply.raw
  raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  })
  try {
    if (!first.done) raw.write(`data: ${JSON.stringify(first.value)}\n\n`)
    for await (const event of { [Symbol.asyncIterator]: () => stream }) {
      if (raw.destroyed) break
      raw.write(`data: ${JSON.stringify(event)}\n\n`)
    }
  } catch (error) {
    const body = { jsonrpc: '2.0', id, error: mapError(error) }
    if (!raw.destroyed) raw.write(`event: error\ndata: ${JSON.stringify(body)}\n\n`)
  } finally {
    raw.end()
  }
}

/** The distinct capabilities of the mesh's active agents (the cheapest provider's description). */
async function meshCapabilities(ctx: ApiContext): Promise<Capability[]> {
  const matches = await ctx.store.registry.match({ terms: [], limit: MAX_NODE_SKILLS * 5 })
  const firsts = new Map<string, { agentId: string; capabilityId: string }>()
  for (const m of matches) {
    if (!firsts.has(m.capabilityId) && firsts.size < MAX_NODE_SKILLS)
      firsts.set(m.capabilityId, { agentId: m.agentId, capabilityId: m.capabilityId })
  }
  const full = await ctx.store.registry.capabilities([...firsts.values()])
  return [...full.values()]
}
