import { MeshError } from '@agentmesh/protocol'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Store } from '../core/store.js'

interface AjvError {
  keyword: string
  instancePath: string
  message?: string
  params: Record<string, unknown>
}

/** Turns a Fastify validation failure into the catalogue's error, naming the field. */
function validationError(
  error: FastifyError & { validation?: AjvError[]; validationContext?: string },
): MeshError {
  const first = error.validation?.[0]
  const where = `${error.validationContext ?? 'body'}${first?.instancePath ?? ''}`
  if (first?.keyword === 'additionalProperties') {
    const field = String(first.params.additionalProperty)
    return new MeshError('UNKNOWN_FIELD', `Unknown field "${field}" in ${where}`, {
      details: { path: where, field },
    })
  }
  if (first && where.endsWith('/amount') && first.keyword === 'pattern') {
    return new MeshError(
      'INVALID_AMOUNT',
      `Amount at ${where} is not a decimal with at most 6 decimals`,
      {
        details: { path: where },
      },
    )
  }
  return new MeshError('INVALID_INPUT', `Invalid ${where}: ${first?.message ?? error.message}`, {
    details: { path: where },
  })
}

const FASTIFY_CODES: Record<string, () => MeshError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new MeshError('PAYLOAD_TOO_LARGE', 'Request body is larger than the limit'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new MeshError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json'),
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    new MeshError('INVALID_JSON', 'Request body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new MeshError('INVALID_JSON', 'Request body is empty but declared as JSON'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new MeshError('INVALID_INPUT', 'Content-Length does not match the body'),
}

/** The store, asked whether an error it threw means the database is down (it knows its codes). */
type StoreErrors = Pick<Store, 'isUnavailable'>

/** Maps any thrown error to the wire form `{"error": {...}}` with the catalogue's status. */
export function toMeshError(error: unknown, store: StoreErrors): MeshError {
  if (error instanceof MeshError) return error
  const fastifyError = error as FastifyError & { validation?: AjvError[] }
  if (fastifyError.validation) return validationError(fastifyError)
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined
  if (known) return known()
  if (store.isUnavailable(error)) {
    // The database is down or restarting: retryable, as /readyz says, not a bug of ours.
    return new MeshError('UNAVAILABLE', 'Store is not reachable: retry shortly', { cause: error })
  }
  if (fastifyError.statusCode === 429)
    return new MeshError('RATE_LIMITED', 'Too many requests: slow down')
  return new MeshError('INTERNAL', 'Internal error', { cause: error })
}

/** Installs the error and not-found handlers. */
export function installErrorHandlers(app: FastifyInstance, store: StoreErrors): void {
  app.setErrorHandler((error, request, reply) => {
    const mesh = toMeshError(error, store)
    if (mesh.status >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.debug({ code: mesh.code }, mesh.message)
    return reply.status(mesh.status).send({ error: mesh.toWire() })
  })
  app.setNotFoundHandler((request, reply) => {
    const mesh = new MeshError(
      'ROUTE_NOT_FOUND',
      `No route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    )
    return reply.status(404).send({ error: mesh.toWire() })
  })
}

/**
 * The error handler of a JSON-RPC route (A2A, MCP): whatever fails before or in the route — a
 * token, a body over the limits, a bug — answers as a JSON-RPC error with the catalogue's status,
 * built by `toError`; the text of an unexpected error is logged, never sent.
 */
export function jsonRpcErrorHandler(
  toError: (mesh: MeshError) => object,
  store: StoreErrors,
): (error: unknown, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    const mesh = toMeshError(error, store)
    if (mesh.status >= 500) request.log.error({ err: error }, 'request failed')
    const body = request.body as { id?: unknown } | undefined
    const id = typeof body?.id === 'string' || typeof body?.id === 'number' ? body.id : null
    void reply.status(mesh.status).send({ jsonrpc: '2.0', id, error: toError(mesh) })
  }
}
