import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as browser from '../src/crypto/browser.js'
import * as node from '../src/crypto/node.js'
import {
  cryptoImplementation,
  didFromPublicKey,
  fromBase64url,
  generateKeyPair,
  isDid,
  keyPairFromSecret,
  MeshError,
  publicKeyFromDid,
  signJws,
  toBase64url,
  verifyJws,
} from '../src/index.js'

const key = keyPairFromSecret(new Uint8Array(32).fill(7))

describe('did:key', () => {
  it('names Ed25519 keys with the z6Mk prefix and decodes them back', () => {
    const k = generateKeyPair()
    expect(k.did).toMatch(/^did:key:z6Mk/)
    expect(publicKeyFromDid(k.did)).toEqual(k.publicKey)
    expect(didFromPublicKey(k.publicKey)).toBe(k.did)
  })

  it('refuses other key types and methods', () => {
    // A secp256k1 did:key (multicodec 0xe7).
    expect(() =>
      publicKeyFromDid('did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme'),
    ).toThrow(/Ed25519/)
    expect(() => publicKeyFromDid('did:web:example.com')).toThrow(MeshError)
    expect(isDid('did:key:z0OIl')).toBe(false)
  })

  it('uses node:crypto under Node', () => {
    expect(cryptoImplementation).toBe('node:crypto')
  })

  it('agrees with the browser implementation on keys and signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 256 }),
        (seed, msg) => {
          const pub = node.ed25519PublicKey(seed)
          expect(browser.ed25519PublicKey(seed)).toEqual(pub)
          const sig = node.ed25519Sign(msg, seed)
          expect(browser.ed25519Sign(msg, seed)).toEqual(sig)
          expect(browser.ed25519Verify(sig, msg, pub)).toBe(true)
          expect(node.ed25519Verify(sig, msg, pub)).toBe(true)
          expect(browser.sha256(msg)).toEqual(node.sha256(msg))
        },
      ),
      { numRuns: 50 },
    )
  })
})

describe('JWS over canonical JSON', () => {
  it('verifies what it signed and names the signer', () => {
    const jws = signJws({ b: 2, a: 1 }, key)
    expect(verifyJws(jws)).toEqual({ payload: { a: 1, b: 2 }, did: key.did })
    expect(() => verifyJws(jws, generateKeyPair().did)).toThrow(/expected/)
  })

  it('fails after any changed byte', () => {
    const jws = signJws({ task: 'abc', amount: '0.5' }, key)
    fc.assert(
      fc.property(fc.nat(jws.length - 1), fc.integer({ min: 1, max: 255 }), (index, delta) => {
        const bytes = new TextEncoder().encode(jws)
        bytes[index] = (bytes[index]! + delta) % 256
        const tampered = new TextDecoder().decode(bytes)
        fc.pre(tampered !== jws)
        expect(() => verifyJws(tampered)).toThrow(MeshError)
      }),
      { numRuns: 500 },
    )
  })

  it('fails after any changed bit of the signature', () => {
    const jws = signJws({ x: 1 }, key)
    const [h, p, s] = jws.split('.') as [string, string, string]
    const sig = fromBase64url(s)
    for (let bit = 0; bit < sig.length * 8; bit += 7) {
      const copy = Uint8Array.from(sig)
      copy[bit >> 3]! ^= 1 << (bit & 7)
      expect(() => verifyJws(`${h}.${p}.${toBase64url(copy)}`)).toThrow(/does not verify/)
    }
  })

  it('refuses a payload that is not canonical, even when correctly signed', () => {
    const header = toBase64url(
      new TextEncoder().encode(JSON.stringify({ alg: 'EdDSA', kid: key.did })),
    )
    const payload = toBase64url(new TextEncoder().encode('{"b":1,"a":2}'))
    const sig = toBase64url(
      node.ed25519Sign(new TextEncoder().encode(`${header}.${payload}`), key.secretKey),
    )
    expect(() => verifyJws(`${header}.${payload}.${sig}`)).toThrow(/not canonical/)
  })

  it('refuses other algorithms', () => {
    const header = toBase64url(
      new TextEncoder().encode(JSON.stringify({ alg: 'none', kid: key.did })),
    )
    expect(() => verifyJws(`${header}.e30.`)).toThrow(/not EdDSA/)
  })
})
