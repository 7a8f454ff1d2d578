import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addSignature,
  createCertificate,
  generateKeyPair,
  MeshError,
  signCertificate,
  verifyCertificate,
  type KeyPair,
  type QuorumCertificate,
} from '../src/index.js'

// Keys are slow-ish to make: one pool, sets drawn from it.
const pool: KeyPair[] = Array.from({ length: 13 }, () => generateKeyPair())
const decisions = fc.jsonValue({ maxDepth: 3 }).filter((v) => v !== undefined)

/** A set of n = 3f+1+extra validators from the pool, with f from 0 to 3. */
const sets = fc
  .record({ f: fc.integer({ min: 0, max: 3 }), extra: fc.integer({ min: 0, max: 2 }) })
  .map(({ f, extra }) => ({ f, keys: pool.slice(0, 3 * f + 1 + extra) }))

function signedBy(decision: unknown, f: number, keys: KeyPair[], signers: KeyPair[]) {
  const blank = createCertificate(
    decision,
    keys.map((k) => k.did),
    f,
  )
  return signers.reduce<QuorumCertificate>(
    (cert, key) => addSignature(cert, signCertificate(cert, key)),
    blank,
  )
}

describe('quorum certificates', () => {
  it('accepts any honest subset of at least 2f+1 validators', () => {
    fc.assert(
      fc.property(decisions, sets, fc.integer(), (decision, { f, keys }, seed) => {
        const count = 2 * f + 1 + (Math.abs(seed) % (keys.length - 2 * f))
        const signers = fc.sample(
          fc.shuffledSubarray(keys, { minLength: count, maxLength: count }),
          {
            seed,
            numRuns: 1,
          },
        )[0]!
        const verdict = verifyCertificate(
          JSON.parse(JSON.stringify(signedBy(decision, f, keys, signers))),
        )
        expect(verdict).toEqual({ ok: true, signers: count, threshold: 2 * f + 1, n: keys.length })
      }),
      { numRuns: 40 },
    )
  })

  it('refuses any subset below 2f+1, naming the count', () => {
    fc.assert(
      fc.property(decisions, sets, fc.nat(), (decision, { f, keys }, seed) => {
        const count = seed % (2 * f + 1)
        const verdict = verifyCertificate(signedBy(decision, f, keys, keys.slice(0, count)))
        expect(verdict).toEqual({
          ok: false,
          reason: `${count} of ${keys.length} validators signed; ${2 * f + 1} (2f+1) needed`,
        })
      }),
      { numRuns: 40 },
    )
  })

  it('refuses a certificate with any one byte of a signature or the decision changed', () => {
    fc.assert(
      fc.property(
        decisions,
        sets,
        fc.nat(),
        fc.boolean(),
        (decision, { f, keys }, pick, inDecision) => {
          const cert = signedBy(decision, f, keys, keys.slice(0, 2 * f + 1))
          if (inDecision) {
            const forged = { ...cert, decision: { forged: decision } }
            expect(verifyCertificate(forged).ok).toBe(false)
            return
          }
          const i = pick % cert.signatures.length
          const entry = cert.signatures[i]!
          const chars = entry.signature.split('')
          const at = pick % (chars.length - 2)
          chars[at] = chars[at] === 'A' ? 'B' : 'A'
          const signatures = cert.signatures.map((s, j) =>
            j === i ? { ...s, signature: chars.join('') } : s,
          )
          expect(verifyCertificate({ ...cert, signatures })).toEqual({
            ok: false,
            reason: `the signature of "${entry.signer}" does not verify`,
          })
        },
      ),
      { numRuns: 40 },
    )
  })

  it('refuses duplicate signers, signers outside the set and a set too small for f', () => {
    const keys = pool.slice(0, 4)
    const cert = signedBy({ outcome: 'refund' }, 1, keys, keys.slice(0, 3))
    const dup = { ...cert, signatures: [...cert.signatures, cert.signatures[0]!] }
    expect(verifyCertificate(dup)).toEqual({ ok: false, reason: `"${keys[0]!.did}" signed twice` })
    const outsider = pool[12]!
    const foreign = { ...cert, signatures: [...cert.signatures, signCertificate(cert, outsider)] }
    expect(verifyCertificate(foreign)).toEqual({
      ok: false,
      reason: `signer "${outsider.did}" is not in the validator set`,
    })
    expect(verifyCertificate({ ...cert, f: 2 })).toEqual({
      ok: false,
      reason: '4 validators cannot tolerate f=2: n ≥ 3f+1 = 7 needed',
    })
    expect(() =>
      createCertificate({}, [keys[0]!.did, keys[0]!.did, keys[1]!.did, keys[2]!.did], 1),
    ).toThrow('a validator is named twice')
    expect(() => addSignature(cert, signCertificate(cert, keys[0]!))).toThrow(MeshError)
    expect(() => addSignature(cert, signCertificate(cert, outsider))).toThrow(
      'not in the validator set',
    )
    expect(verifyCertificate(null)).toEqual({
      ok: false,
      reason: 'the certificate is not a JSON object',
    })
  })
})
