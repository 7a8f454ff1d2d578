import { canonicalBytes, canonicalize } from './canonical-json.js'
import { fromBase64url, toBase64url, utf8 } from './encoding.js'
import { MeshError } from './errors.js'
import { signBytes, verifyBytes, type KeyPair } from './identity.js'

/** The protected header of an agentmesh JWS. `kid` is the signer's `did:key`. */
export interface JwsHeader {
  alg: 'EdDSA'
  kid: string
}

/**
 * Signs a JSON value as a compact JWS (RFC 7515) with EdDSA. The payload is the value's canonical
 * JSON (RFC 8785), so any party can re-derive the signed bytes from the parsed value.
 */
export function signJws(payload: unknown, key: KeyPair): string {
  const header: JwsHeader = { alg: 'EdDSA', kid: key.did }
  const signingInput = `${toBase64url(canonicalBytes(header))}.${toBase64url(canonicalBytes(payload))}`
  return `${signingInput}.${toBase64url(signBytes(utf8(signingInput), key))}`
}

/**
 * Verifies a compact JWS and returns its payload and signer. Throws `SIGNATURE_INVALID` when the
 * form, the algorithm, the canonical encoding or the signature is wrong, or when `expectedDid`
 * is given and is not the signer.
 */
export function verifyJws<T = unknown>(
  jws: string,
  expectedDid?: string,
): { payload: T; did: string } {
  const parts = typeof jws === 'string' ? jws.split('.') : []
  if (parts.length !== 3) throw new MeshError('SIGNATURE_INVALID', 'Signature is not a compact JWS')
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts
  let header: Partial<JwsHeader>
  let payload: unknown
  let signature: Uint8Array
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64url(headerPart))) as Partial<JwsHeader>
    payload = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(payloadPart)),
    )
    signature = fromBase64url(signaturePart)
  } catch (cause) {
    throw new MeshError('SIGNATURE_INVALID', 'Signature is not a well-formed JWS', { cause })
  }
  if (header.alg !== 'EdDSA' || typeof header.kid !== 'string') {
    throw new MeshError(
      'SIGNATURE_INVALID',
      `JWS algorithm "${String(header.alg)}" is not EdDSA with a kid`,
    )
  }
  if (toBase64url(canonicalBytes(payload)) !== payloadPart) {
    throw new MeshError('SIGNATURE_INVALID', 'JWS payload is not canonical JSON')
  }
  if (!verifyBytes(signature, utf8(`${headerPart}.${payloadPart}`), header.kid)) {
    throw new MeshError('SIGNATURE_INVALID', `Signature does not verify for "${header.kid}"`)
  }
  if (expectedDid !== undefined && header.kid !== expectedDid) {
    throw new MeshError('SIGNATURE_INVALID', `Signed by "${header.kid}", expected "${expectedDid}"`)
  }
  return { payload: payload as T, did: header.kid }
}

/** The bytes a principal signs to prove its key to a node: bound to the node and the nonce. */
export function authChallengeBytes(nodeDid: string, nonce: string): Uint8Array {
  return utf8(canonicalize({ domain: 'agentmesh/auth/v1', node: nodeDid, nonce }))
}
