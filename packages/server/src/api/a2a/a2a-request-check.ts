import { A2A_ERROR_CODE } from '@a2a-js/sdk/errors'
import type { JsonRpcErrorBody } from './a2a-errors.js'

/** A JSON-RPC id as the spec allows it: a string, an integer or null. */
export type RpcId = string | number | null

/** What the envelope check found: the id to answer with, and the error when the request is refused. */
export interface RpcCheck {
  id: RpcId
  error?: JsonRpcErrorBody
}

const SEND_METHODS = new Set([
  'SendMessage',
  'SendStreamingMessage',
  'message/send',
  'message/stream',
])
const GET_METHODS = new Set(['GetTask', 'tasks/get'])

function validId(id: unknown): id is RpcId {
  return typeof id === 'string' || id === null || (typeof id === 'number' && Number.isInteger(id))
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const invalid = (message: string): JsonRpcErrorBody => ({
  code: A2A_ERROR_CODE.INVALID_REQUEST,
  message,
})
const badParams = (message: string): JsonRpcErrorBody => ({
  code: A2A_ERROR_CODE.INVALID_PARAMS,
  message,
})

/** Whether `value` is absent or a whole number of at least `min`. */
export function wholeAtLeast(value: unknown, min: number): boolean {
  return (
    value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= min)
  )
}

/**
 * Checks a JSON-RPC request before the SDK's transport reads it, in both protocol versions: the
 * envelope (`jsonrpc` "2.0", a string `method`, an id that is a string, an integer or null:
 * -32600), the params (an object without empty keys: -32602), a message's `messageId` and a
 * read's `historyLength` (-32602). The SDK's own parsing would echo an object id or accept a
 * message without an id.
 */
export function checkRpcRequest(body: unknown): RpcCheck {
  if (!isObject(body)) return { id: null, error: invalid('The request is not a JSON-RPC object') }
  if ('id' in body && !validId(body.id)) {
    return { id: null, error: invalid('The id must be a string, an integer or null') }
  }
  const id = (body.id ?? null) as RpcId
  if (body.jsonrpc !== '2.0') return { id, error: invalid('jsonrpc must be "2.0"') }
  if (typeof body.method !== 'string' || body.method === '') {
    return { id, error: invalid('The request has no method') }
  }
  const params = body.params
  if (params !== undefined && (!isObject(params) || Object.keys(params).includes(''))) {
    return { id, error: badParams('params must be an object with named members') }
  }
  if (SEND_METHODS.has(body.method)) {
    const message = params?.message
    if (!isObject(message)) return { id, error: badParams('params.message is missing') }
    const messageId = message.messageId
    if (typeof messageId !== 'string' || messageId === '' || messageId.length > 200) {
      return { id, error: badParams('params.message.messageId must be a string of 1 to 200') }
    }
  }
  if (GET_METHODS.has(body.method) && !wholeAtLeast(params?.historyLength, 0)) {
    return { id, error: badParams('historyLength must be a whole number of at least 0') }
  }
  return { id }
}
