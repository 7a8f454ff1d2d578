import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  canonicalize,
  FACT_TYPE,
  factStatement,
  generateKeyPair,
  MeshError,
  signFact,
  verifyFact,
} from '../src/index.js'

const key = generateKeyPair()
const fact = { subject: 'paris', relation: 'capital_of', object: 'france', confidence: 0.9 }

function refused(run: () => void): MeshError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(MeshError)
    return error as MeshError
  }
  throw new Error('not refused')
}

describe('signed facts', () => {
  it('signs the canonical statement of the fact, its agent and its task', () => {
    const signed = signFact(fact, key, 'task_1')
    expect(signed).toMatchObject({ ...fact, agent: key.did, taskId: 'task_1' })
    expect(new TextDecoder().decode(factStatement(signed))).toBe(
      canonicalize({ type: FACT_TYPE, agent: key.did, ...fact, taskId: 'task_1' }),
    )
    expect(() => verifyFact(signed)).not.toThrow()
    expect(() => verifyFact(signFact(fact, key))).not.toThrow()
  })

  it('refuses a fact whose any field changed after signing, or that names another agent', () => {
    const signed = signFact(fact, key, 'task_1')
    const other = generateKeyPair().did
    for (const changed of [
      { ...signed, subject: 'lyon' },
      { ...signed, relation: 'near' },
      { ...signed, object: 'spain' },
      { ...signed, confidence: 0.91 },
      { ...signed, taskId: 'task_2' },
      { ...signed, agent: other },
      { ...signed, agent: 'not a did' },
      { ...signed, signature: 'A'.repeat(86) },
      { ...signed, signature: '!!' },
    ]) {
      expect(refused(() => verifyFact(changed)).code).toBe('SIGNATURE_INVALID')
    }
    const { taskId: _taskId, ...unbound } = signed
    expect(refused(() => verifyFact(unbound)).code).toBe('SIGNATURE_INVALID')
  })

  it('verifies every fact it signs, whatever its text and confidence', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (subject, object, confidence) => {
          const signed = signFact({ subject, relation: 'r', object, confidence }, key)
          verifyFact(signed)
        },
      ),
      { numRuns: 50 },
    )
  })
})
