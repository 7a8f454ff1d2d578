import { generateKeyPair, signCosignature } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../../src/core/store.js'
import { onBothDatabases } from '../../helpers/store-backends.js'

/** The witness and certificate stores (migration 0016) on one implementation. */
function witnessStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(
    `Witness and certificate stores: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store
      beforeAll(async () => {
        store = await open()
      })
      afterAll(async () => {
        await store.close()
        await cleanup()
      })

      it('advances a witness record only from the state the writer read', async () => {
        const origin = generateKeyPair().did
        const first = { origin, size: 3, root: 'aa'.repeat(32), timeMs: 10 }
        const second = { origin, size: 7, root: 'bb'.repeat(32), timeMs: 20 }
        expect(await store.witness.advance(undefined, first)).toBe(true)
        expect(await store.witness.advance(undefined, second)).toBe(false)
        expect(await store.witness.advance({ ...first, root: 'cc'.repeat(32) }, second)).toBe(false)
        expect(await store.witness.lastCosigned(origin)).toEqual(first)
        expect(await store.witness.advance(first, second)).toBe(true)
        expect(await store.witness.advance(first, { ...second, size: 9 })).toBe(false)
        expect(await store.witness.lastCosigned(origin)).toEqual(second)
      })

      it('keeps one cosignature per witness and head', async () => {
        const origin = generateKeyPair().did
        const [w1, w2] = [generateKeyPair(), generateKeyPair()]
        const fields = { origin, size: 4, root: 'dd'.repeat(32), time: '2025-01-01T00:00:00.000Z' }
        const one = signCosignature(fields, w1)
        const two = signCosignature({ ...fields, time: '2025-01-01T00:00:01.000Z' }, w2)
        await store.witness.putCosignature(one)
        await store.witness.putCosignature(two)
        await store.witness.putCosignature({ ...one, time: '2026-01-01T00:00:00.000Z' })
        expect(await store.witness.cosignatures(origin, 4)).toEqual([one, two])
        expect(await store.witness.cosignatures(origin, 5)).toEqual([])
      })

      it('stores certificates and refuses a second signature of one signer', async () => {
        const validators = [generateKeyPair().did, generateKeyPair().did]
        const certificate = { decision: { a: [1, 'x'] }, validators, f: 0, signatures: [] }
        await store.certificates.insert({
          id: 'cert_1',
          createdBy: 'did:x',
          createdAtMs: 5,
          certificate,
        })
        const entry = { signer: validators[1]!, signature: 'sig1' }
        expect(await store.certificates.addSignature('cert_1', entry, 6)).toBe(true)
        expect(
          await store.certificates.addSignature('cert_1', { ...entry, signature: 'x' }, 7),
        ).toBe(false)
        expect(await store.certificates.get('cert_1')).toEqual({
          id: 'cert_1',
          createdBy: 'did:x',
          createdAtMs: 5,
          certificate: { ...certificate, signatures: [entry] },
        })
        expect(await store.certificates.get('cert_2')).toBeUndefined()
      })
    },
  )
}

await onBothDatabases(witnessStoreContract)
