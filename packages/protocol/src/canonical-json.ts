import canonicalizeModule from 'canonicalize'
import { MeshError } from './errors.js'

type Serialize = (value: unknown) => string | undefined
// The package is CommonJS with an ES-style typing: Node's ESM loader hands over the function
// itself, bundlers may hand over `{ default: fn }`. Accept both.
const loaded = canonicalizeModule as unknown as Serialize | { default: Serialize }
const canonicalizeJson: Serialize = typeof loaded === 'function' ? loaded : loaded.default

/**
 * Serializes a JSON value after RFC 8785 (JSON Canonicalization Scheme): keys sorted by UTF-16
 * code units, no white space, numbers in their shortest ECMAScript form. Refuses what JSON cannot
 * carry (undefined at the top, non-finite numbers, bigints, functions).
 */
export function canonicalize(value: unknown): string {
  assertJson(value, '')
  const text = canonicalizeJson(value)
  if (text === undefined) throw new MeshError('INVALID_INPUT', 'Value has no JSON form')
  return text
}

/** The UTF-8 bytes of `canonicalize(value)`: what signatures cover. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalize(value))
}

function assertJson(value: unknown, path: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) {
        throw new MeshError('INVALID_INPUT', `Number at "${path || '/'}" is not finite`)
      }
      return
    case 'object':
      if (value === null) return
      if (Array.isArray(value)) {
        value.forEach((item, i) => assertJson(item, `${path}/${i}`))
        return
      }
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined) assertJson(item, `${path}/${key}`)
      }
      return
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new MeshError(
        'INVALID_INPUT',
        `Value at "${path || '/'}" of type ${typeof value} has no JSON form`,
      )
  }
}
