import { base58, base64urlnopad } from '@scure/base'

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

/** The value of each hex digit by character code; -1 for any other character. */
const NIBBLES = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) {
  const digit = i.toString(16)
  NIBBLES[digit.charCodeAt(0)] = i
  NIBBLES[digit.toUpperCase().charCodeAt(0)] = i
}

/** Decodes hex of either case; throws on an odd length or a character that is not hex. */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw new Error(`Hex of odd length ${text.length}`)
  const bytes = new Uint8Array(text.length / 2)
  for (let i = 0; i < bytes.length; i++) {
    const high = NIBBLES[text.charCodeAt(2 * i)] ?? -1
    const low = NIBBLES[text.charCodeAt(2 * i + 1)] ?? -1
    if (high < 0 || low < 0) throw new Error(`Not hex at character ${2 * i}`)
    bytes[i] = (high << 4) | low
  }
  return bytes
}

export { base58 }

const encoder = new TextEncoder()

export function utf8(text: string): Uint8Array {
  return encoder.encode(text)
}
