import { base58, base64urlnopad, hex } from '@scure/base'

/** Base64url without padding (RFC 4648 §5), as JWS uses. */
export function toBase64url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes)
}

/** Decodes base64url without padding; throws on any other alphabet or padding. */
export function fromBase64url(text: string): Uint8Array {
  return base64urlnopad.decode(text)
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lowercase hex; a table lookup per byte, as hashes are turned to hex on every audit entry. */
export function toHex(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) text += HEX_PAIRS[byte]!
  return text
}

export function fromHex(text: string): Uint8Array {
  return hex.decode(text)
}

export { base58 }

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}
