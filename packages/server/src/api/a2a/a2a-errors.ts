import {
  A2AError,
  A2A_ERROR_CODE,
  ERROR_INFO_TYPE,
  JsonRpcTransportError,
  TaskNotCancelableError,
  TaskNotFoundError,
} from '@a2a-js/sdk/errors'
import { MeshError } from '@agentmesh/protocol'

/** The domain of the ErrorInfo details the node adds to its JSON-RPC errors. */
export const MESH_ERROR_DOMAIN = 'agentmesh'

/** A JSON-RPC error envelope body. */
export interface JsonRpcErrorBody {
  code: number
  message: string
  data?: unknown[]
}

/** The JSON-RPC error code for a mesh error: the caller's fault (4xx) or ours (5xx). */
export function jsonRpcCodeOf(error: MeshError): number {
  return error.status >= 500 ? A2A_ERROR_CODE.INTERNAL_ERROR : A2A_ERROR_CODE.INVALID_PARAMS
}

/** A mesh error as a JSON-RPC error whose ErrorInfo names the catalogue code. */
export function meshJsonRpcError(error: MeshError): JsonRpcErrorBody {
  return {
    code: jsonRpcCodeOf(error),
    message: error.message,
    data: [
      {
        '@type': ERROR_INFO_TYPE,
        reason: error.code,
        domain: MESH_ERROR_DOMAIN,
        metadata: { retryable: String(error.retryable), status: String(error.status) },
      },
    ],
  }
}

/**
 * Turns what the mesh throws into what the SDK's transport handler serializes: task-not-found and
 * task-finished become A2A's own errors; every other mesh error becomes a JSON-RPC error whose
 * message starts with the catalogue code (`INSUFFICIENT_FUNDS: …`).
 */
export function toA2AError(error: unknown): unknown {
  if (error instanceof A2AError || !(error instanceof MeshError)) return error
  if (error.code === 'TASK_NOT_FOUND') return new TaskNotFoundError(error.message)
  if (error.code === 'TASK_FINISHED') return new TaskNotCancelableError(error.message)
  const body = meshJsonRpcError(error)
  return new JsonRpcTransportError({
    jsonrpc: '2.0',
    id: null,
    error: { ...body, message: `${error.code}: ${error.message}` },
  } as ConstructorParameters<typeof JsonRpcTransportError>[0])
}

/**
 * A JSON-RPC error as a client may see it: an internal error that is not the mesh's own (the text
 * of a library's exception, of a bug) is reported to `log` and says only "Internal error".
 */
export function publicRpcError(error: unknown, log: (detail: unknown) => void): unknown {
  const body = error as Partial<JsonRpcErrorBody> | undefined
  if (body?.code !== A2A_ERROR_CODE.INTERNAL_ERROR) return error
  const info = Array.isArray(body.data)
    ? (body.data[0] as { domain?: unknown } | undefined)
    : undefined
  if (info?.domain === MESH_ERROR_DOMAIN) return error
  log(body.message)
  return { code: body.code, message: 'Internal error' }
}

/** Runs `work`, rethrowing mesh errors as A2A errors. */
export async function a2aErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw toA2AError(error)
  }
}
