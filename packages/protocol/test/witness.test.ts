import { describe, expect, it } from 'vitest'
import {
  generateKeyPair,
  signCosignature,
  signJws,
  verifyCosignature,
  verifyTreeHead,
} from '../src/index.js'

const origin = generateKeyPair()
const witness = generateKeyPair()
const root = 'ab'.repeat(32)

describe('cosignatures', () => {
  it('verifies a cosignature for its head and refuses one moved to another head', () => {
    const c = signCosignature(
      { origin: origin.did, size: 5, root, time: '2025-01-01T00:00:00.000Z' },
      witness,
    )
    expect(() => verifyCosignature(c, { signer: origin.did, size: 5, root })).not.toThrow()
    expect(() => verifyCosignature({ ...c, size: 6 })).toThrow(
      'field "size" is not what was signed',
    )
    expect(() => verifyCosignature(c, { signer: origin.did, size: 6, root })).toThrow(
      'another head',
    )
    expect(() => verifyCosignature({ ...c, witness: origin.did })).toThrow('Signed by')
  })

  it('checks a tree head was signed by its signer over its own fields', () => {
    const time = '2025-01-01T00:00:00.000Z'
    const head = {
      size: 3,
      root,
      time,
      signer: origin.did,
      signature: signJws({ size: 3, root, time }, origin),
    }
    expect(() => verifyTreeHead(head)).not.toThrow()
    expect(() => verifyTreeHead({ ...head, size: 4 })).toThrow(
      'differs from what its signature covers',
    )
    expect(() => verifyTreeHead({ ...head, signer: witness.did })).toThrow()
  })
})
