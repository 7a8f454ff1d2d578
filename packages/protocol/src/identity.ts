import { ed25519PublicKey, ed25519Sign, ed25519Verify, randomBytes } from '#ed25519'
import { base58 } from './encoding.js'
import { MeshError } from './errors.js'

// multicodec varint for ed25519-pub (0xed), as did:key prefixes it.
const ED25519_PUB_PREFIX = new Uint8Array([0xed, 0x01])

/** An Ed25519 identity: the 32-byte seed, its public key and its `did:key`. */
export interface KeyPair {
  did: string
  publicKey: Uint8Array
  secretKey: Uint8Array
}

/** Names an Ed25519 public key as a `did:key` (multibase base58btc of multicodec ed25519-pub). */
export function didFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32)
    throw new MeshError('INVALID_DID', 'An Ed25519 public key has 32 bytes')
  const bytes = new Uint8Array(34)
  bytes.set(ED25519_PUB_PREFIX)
  bytes.set(publicKey, 2)
  return `did:key:z${base58.encode(bytes)}`
}

/** Public keys of DIDs read lately: base58 decoding is quadratic, and the same DIDs recur. */
const decoded = new Map<string, Uint8Array>()
const MAX_DECODED = 1024

/** Reads the Ed25519 public key out of a `did:key`; refuses other methods and key types. */
export function publicKeyFromDid(did: string): Uint8Array {
  const known = decoded.get(did)
  if (known) return known.slice()
  const publicKey = decodeDid(did)
  if (decoded.size >= MAX_DECODED) decoded.delete(decoded.keys().next().value!)
  decoded.set(did, publicKey)
  return publicKey.slice()
}

function decodeDid(did: string): Uint8Array {
  if (typeof did !== 'string' || !did.startsWith('did:key:z')) {
    throw new MeshError('INVALID_DID', `DID "${String(did)}" is not a base58btc did:key`)
  }
  let bytes: Uint8Array
  try {
    bytes = base58.decode(did.slice('did:key:z'.length))
  } catch (cause) {
    throw new MeshError('INVALID_DID', `DID "${did}" is not valid base58btc`, { cause })
  }
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) {
    throw new MeshError('INVALID_DID', `DID "${did}" does not name an Ed25519 key`)
  }
  return bytes.slice(2)
}

/** Tells whether a string is an Ed25519 `did:key`. */
export function isDid(did: unknown): did is string {
  try {
    publicKeyFromDid(did as string)
    return true
  } catch {
    return false
  }
}

/** Makes a new identity from 32 random bytes. */
export function generateKeyPair(): KeyPair {
  return keyPairFromSecret(randomBytes(32))
}

/** Rebuilds an identity from its 32-byte seed. */
export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  if (secretKey.length !== 32)
    throw new MeshError('INVALID_INPUT', 'An Ed25519 secret key has 32 bytes')
  const publicKey = ed25519PublicKey(secretKey)
  return { did: didFromPublicKey(publicKey), publicKey, secretKey: Uint8Array.from(secretKey) }
}

/** Signs bytes with an identity. */
export function signBytes(message: Uint8Array, key: KeyPair): Uint8Array {
  return ed25519Sign(message, key.secretKey)
}

/** Verifies a signature by the key a `did:key` names; false for any malformed part. */
export function verifyBytes(signature: Uint8Array, message: Uint8Array, did: string): boolean {
  let publicKey: Uint8Array
  try {
    publicKey = publicKeyFromDid(did)
  } catch {
    return false
  }
  return ed25519Verify(signature, message, publicKey)
}
