import { MeshError, utf8 } from '@agentmesh/protocol'
import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519'
import { hkdf } from '@noble/hashes/hkdf'
import { sha256 } from '@noble/hashes/sha2'
import { concatBytes } from '@noble/hashes/utils'
import { base64 } from '@scure/base'
import { combine, split } from 'shamir-secret-sharing'

/** 32 secret bytes plus a 16-byte tag binding them to their round, owner and kind. */
const TAG_BYTES = 16
/** A Shamir share of a tagged secret: 48 bytes and the x coordinate. */
export const SHARE_BYTES = 32 + TAG_BYTES + 1

function invalid(message: string, cause?: unknown): MeshError {
  return new MeshError('FL_SECAGG_INVALID', message, cause === undefined ? {} : { cause })
}

export function toBase64(bytes: Uint8Array): string {
  return base64.encode(bytes)
}

/** Decodes base64 of an exact length; anything else is `FL_SECAGG_INVALID`. */
export function fromBase64(text: unknown, length: number | undefined, what: string): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = base64.decode(text as string)
  } catch (cause) {
    throw invalid(`${what} is not base64`, cause)
  }
  if (length !== undefined && bytes.length !== length)
    throw invalid(`${what} is not ${length} bytes`)
  return bytes
}

/** The X25519 public key of a 32-byte secret. */
export function publicKey(secret: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secret)
}

/** Derives a 32-byte key from an X25519 agreement, bound to the round and a purpose. */
export function agree(
  secret: Uint8Array,
  peerPublic: Uint8Array,
  context: string,
  info: string,
): Uint8Array {
  let shared: Uint8Array
  try {
    shared = x25519.getSharedSecret(secret, peerPublic)
  } catch (cause) {
    throw invalid('A public key gives no shared secret', cause)
  }
  return hkdf(sha256, shared, utf8(context), utf8(`agentmesh-fl/secagg/${info}`), 32)
}

/** The pairwise mask key of two trainers: the same from either side. */
export function pairKey(
  secret: Uint8Array,
  peerPublic: Uint8Array,
  context: string,
  a: string,
  b: string,
): Uint8Array {
  const [first, second] = a < b ? [a, b] : [b, a]
  return agree(secret, peerPublic, context, `mask\u0000${first}\u0000${second}`)
}

/**
 * A mask of `length` words mod 2³²: the ChaCha20 keystream of the full 32-byte key, read as
 * little-endian uint32s.
 */
export function maskStream(key: Uint8Array, length: number): Uint32Array {
  const bytes = chacha20(key, new Uint8Array(12), new Uint8Array(length * 4))
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const words = new Uint32Array(length)
  for (let i = 0; i < length; i++) words[i] = view.getUint32(i * 4, true)
  return words
}

/** Adds (sign +1) or subtracts (−1) a mask into `into`, mod 2³². */
export function addMask(into: Uint32Array, mask: Uint32Array, sign: 1 | -1): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i]! + sign * mask[i]!) >>> 0
}

function shareAd(context: string, from: string, to: string): Uint8Array {
  return utf8(`${context}\u0000${from}\u0000${to}`)
}

/** Seals a plaintext from one trainer to another: random nonce ‖ ChaCha20-Poly1305 ciphertext. */
export function seal(
  key: Uint8Array,
  nonce: Uint8Array,
  context: string,
  from: string,
  to: string,
  plaintext: Uint8Array,
): Uint8Array {
  return concatBytes(
    nonce,
    chacha20poly1305(key, nonce, shareAd(context, from, to)).encrypt(plaintext),
  )
}

/** Opens what `seal` made; a forged or misaddressed ciphertext is `FL_SECAGG_INVALID`. */
export function open(
  key: Uint8Array,
  context: string,
  from: string,
  to: string,
  sealed: Uint8Array,
): Uint8Array {
  try {
    return chacha20poly1305(key, sealed.subarray(0, 12), shareAd(context, from, to)).decrypt(
      sealed.subarray(12),
    )
  } catch (cause) {
    throw invalid(`The share from "${from}" to "${to}" does not decrypt`, cause)
  }
}

/** Compares two byte strings in time that depends only on their length. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

function tag(context: string, owner: string, kind: string, secret: Uint8Array): Uint8Array {
  return sha256(
    concatBytes(
      utf8(`agentmesh-fl/secagg/secret\u0000${context}\u0000${owner}\u0000${kind}\u0000`),
      secret,
    ),
  ).subarray(0, TAG_BYTES)
}

/** Splits a 32-byte secret into `holders` Shamir shares, `threshold` of which rebuild it. */
export function splitSecret(
  secret: Uint8Array,
  holders: number,
  threshold: number,
  context: string,
  owner: string,
  kind: string,
): Promise<Uint8Array[]> {
  return split(concatBytes(secret, tag(context, owner, kind, secret)), holders, threshold)
}

/**
 * Rebuilds a secret from `threshold` shares. Shamir's combine returns garbage, not an error, from
 * too few or altered shares: the tag (a hash of round, owner, kind and secret) tells them apart.
 */
export async function combineSecret(
  shares: Uint8Array[],
  context: string,
  owner: string,
  kind: string,
): Promise<Uint8Array> {
  let tagged: Uint8Array
  try {
    tagged = await combine(shares)
  } catch (cause) {
    throw invalid(`The shares of "${owner}" do not combine`, cause)
  }
  const secret = tagged.subarray(0, 32)
  if (
    tagged.length !== 32 + TAG_BYTES ||
    !equalBytes(tagged.subarray(32), tag(context, owner, kind, secret))
  ) {
    throw invalid(`The shares of "${owner}" rebuild no valid secret (too few or altered)`)
  }
  return secret
}

/** Quantizes values into the ring: round(clamp(x) · scale) mod 2³². */
export function quantize(values: Float32Array, scale: number, clip: number): Uint32Array {
  const ring = new Uint32Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const x = Math.min(clip, Math.max(-clip, values[i]!))
    ring[i] = Math.round(x * scale) >>> 0
  }
  return ring
}

/** Reads a sum in the ring back as signed fixed point. */
export function dequantize(ring: Uint32Array, scale: number): Float64Array {
  return Float64Array.from(ring, (word) => (word | 0) / scale)
}

export function wordsToBase64(words: Uint32Array): string {
  const bytes = new Uint8Array(words.length * 4)
  const view = new DataView(bytes.buffer)
  words.forEach((word, i) => view.setUint32(i * 4, word, true))
  return toBase64(bytes)
}

export function wordsFromBase64(text: unknown, length: number, what: string): Uint32Array {
  const bytes = fromBase64(text, length * 4, what)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Uint32Array.from({ length }, (_, i) => view.getUint32(i * 4, true))
}
