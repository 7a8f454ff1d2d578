import { lookup as dnsLookup } from 'node:dns/promises'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { MeshError } from '@agentmesh/protocol'
import { classifyAddress } from './address-policy.js'

/** What the node may call out to, and how long and how much it reads. */
export interface OutboundPolicy {
  /** Allow loopback, private, link-local and metadata addresses (`AGENTMESH_ALLOW_PRIVATE_IMPORTS=1`). */
  allowPrivate: boolean
  /** Deadline of one request, connect to last byte. */
  timeoutMs: number
  /** Largest response body read; a larger one fails with RESPONSE_TOO_LARGE. */
  maxResponseBytes: number
}

/** A resolved address. */
export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** Resolves a host name to its addresses (DNS); injectable so tests resolve without a network. */
export type HostResolver = (host: string) => Promise<ResolvedAddress[]>

const systemResolver: HostResolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }))

/**
 * Checks a URL before any connection: http(s) only, no credentials in it, and every address its
 * host resolves to must be public unless the policy allows private ones. Answers the address to
 * connect to, so the request cannot be re-resolved elsewhere (DNS rebinding).
 */
export async function resolveAllowed(
  url: URL,
  policy: Pick<OutboundPolicy, 'allowPrivate'>,
  resolve: HostResolver = systemResolver,
): Promise<ResolvedAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MeshError('INVALID_INPUT', `URL "${url.href}" is not http or https`)
  }
  if (url.username || url.password) {
    throw new MeshError('INVALID_INPUT', 'A URL with credentials in it is refused')
  }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const literal = isIP(host)
  const addresses =
    literal === 0
      ? await resolve(host).catch((cause: unknown) => {
          throw new MeshError('PROVIDER_ERROR', `Host "${host}" does not resolve`, { cause })
        })
      : [{ address: host, family: literal === 6 ? (6 as const) : (4 as const) }]
  if (addresses.length === 0) {
    throw new MeshError('PROVIDER_ERROR', `Host "${host}" has no address`)
  }
  for (const { address } of addresses) {
    const kind = classifyAddress(address)
    const never = kind === 'unspecified' || kind === 'multicast'
    if (kind && (never || !policy.allowPrivate)) {
      throw new MeshError(
        'ADDRESS_NOT_ALLOWED',
        `Address "${address}" of "${host}" is ${kind}: the node does not call it`,
        { details: { host, address, class: kind } },
      )
    }
  }
  return addresses[0]!
}

function pinned(to: ResolvedAddress): LookupFunction {
  return (_host, options, callback) => {
    if (options.all) callback(null, [to])
    else callback(null, to.address, to.family)
  }
}

function headerRecord(init: RequestInit | undefined): Record<string, string> {
  const record: Record<string, string> = {}
  new Headers(init?.headers).forEach((value, name) => (record[name] = value))
  return record
}

function readLimited(response: IncomingMessage, maxBytes: number, url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new MeshError('RESPONSE_TOO_LARGE', `Response from "${url}" is larger than ${maxBytes} bytes`)
    const declared = Number(response.headers['content-length'] ?? 0)
    if (declared > maxBytes) {
      response.destroy()
      reject(tooLarge())
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    response.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        response.destroy()
        reject(tooLarge())
      } else chunks.push(chunk)
    })
    response.on('end', () => resolve(Buffer.concat(chunks)))
    response.on('error', reject)
  })
}

/**
 * A `fetch` that only reaches addresses the policy allows, connects to the address it checked,
 * follows no redirect, stops at the deadline (TIMEOUT) and reads at most the size cap.
 */
export function guardedFetch(policy: OutboundPolicy, resolve?: HostResolver): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const to = await resolveAllowed(url, policy, resolve)
    const timeout = AbortSignal.timeout(policy.timeoutMs)
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout
    const body = typeof init?.body === 'string' ? init.body : undefined
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise<Response>((resolvePromise, reject) => {
      const request = send(url, {
        method: init?.method ?? 'GET',
        headers: headerRecord(init),
        lookup: pinned(to),
        agent: false,
        signal,
      })
      const fail = (cause: Error) =>
        reject(
          cause instanceof MeshError
            ? cause
            : timeout.aborted
              ? new MeshError('TIMEOUT', `"${url.href}" did not answer in ${policy.timeoutMs} ms`)
              : signal.aborted
                ? cause
                : new MeshError(
                    'PROVIDER_ERROR',
                    `Calling "${url.href}" failed: ${cause.message}`,
                    {
                      cause,
                    },
                  ),
        )
      request.on('error', fail)
      request.on('response', (response) => {
        readLimited(response, policy.maxResponseBytes, url.href).then((bytes) => {
          const headers = new Headers()
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === 'string') headers.set(name, value)
            else if (Array.isArray(value)) value.forEach((v) => headers.append(name, v))
          }
          const status = response.statusCode ?? 502
          const empty = status === 204 || status === 304
          resolvePromise(new Response(empty ? null : bytes, { status, headers }))
        }, fail)
      })
      request.end(body)
    })
  }
}
