import { base58, base64urlnopad, hex } from '@scure/base'

/** Base64url without padding (RFC 4648 §5), as JWS uses. */
export function toBase64url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes)
}

/** Decodes base64url without padding; throws on any other alphabet or padding. */
export function fromBase64url(text: string): Uint8Array {
  return base64urlnopad.decode(text)
}

export function toHex(bytes: Uint8Array): string {
  return hex.encode(bytes)
}

export function fromHex(text: string): Uint8Array {
  return hex.decode(text)
}

export { base58 }

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}
