import { ed25519 } from '@noble/curves/ed25519'
import { sha256 as nobleSha256 } from '@noble/hashes/sha256'
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils'

/** Ed25519 and SHA-256 in pure JavaScript (noble), for browsers and other non-Node runtimes. */
export const implementation = '@noble/curves'

export function ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey)
}

export function ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed25519.sign(message, secretKey)
}

export function ed25519Verify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false })
  } catch {
    return false
  }
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data)
}

export function randomBytes(length: number): Uint8Array {
  return nobleRandomBytes(length)
}
