import { generateKeyPair } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../../src/core/store.js'

export interface StoreFactory {
  /** Opens a fresh, migrated, empty store. */
  open(): Promise<Store>
  /** Opens the same database again, as a restarted node would (runs migrations again). */
  reopen(): Promise<Store>
  cleanup(): Promise<void>
}

/** The behaviour every Store implementation must have. Run once per backend. */
export function storeContract(name: string, factory: StoreFactory, skipReason?: string): void {
  describe.skipIf(skipReason !== undefined)(
    `Store contract: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store

      beforeAll(async () => {
        store = await factory.open()
      })
      afterAll(async () => {
        await store?.close()
        await factory.cleanup()
      })

      it('answers a ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined()
      })

      it('stores principals and updates their roles', async () => {
        const { did } = generateKeyPair()
        expect(await store.principals.get(did)).toBeUndefined()
        await store.principals.put({ did, roles: ['client'], createdAtMs: 1_700_000_000_000 })
        expect(await store.principals.get(did)).toEqual({
          did,
          roles: ['client'],
          createdAtMs: 1_700_000_000_000,
        })
        await store.principals.put({ did, roles: ['client', 'agent'], createdAtMs: 5 })
        expect(await store.principals.get(did)).toEqual({
          did,
          roles: ['client', 'agent'],
          createdAtMs: 1_700_000_000_000,
        })
      })

      it('stores sessions by token hash and revokes them once', async () => {
        const session = {
          tokenHash: 'h1',
          did: 'did:x',
          createdAtMs: 10,
          expiresAtMs: 20,
          revokedAtMs: null,
        }
        await store.sessions.insert(session)
        await store.sessions.insert({ ...session, tokenHash: 'h2', expiresAtMs: null })
        expect(await store.sessions.get('h1')).toEqual(session)
        expect((await store.sessions.get('h2'))?.expiresAtMs).toBeNull()
        expect(await store.sessions.get('nope')).toBeUndefined()
        expect(await store.sessions.revoke('h1', 15)).toBe(true)
        expect(await store.sessions.revoke('h1', 16)).toBe(false)
        expect((await store.sessions.get('h1'))?.revokedAtMs).toBe(15)
      })

      it('refuses a second session with the same token hash', async () => {
        const session = {
          tokenHash: 'dup',
          did: 'did:x',
          createdAtMs: 1,
          expiresAtMs: null,
          revokedAtMs: null,
        }
        await store.sessions.insert(session)
        await expect(store.sessions.insert(session)).rejects.toThrow()
      })

      it('hands out a nonce exactly once, even to concurrent takers', async () => {
        await store.nonces.insert({ nonce: 'n1', did: 'did:a', expiresAtMs: 100 })
        const taken = await Promise.all(Array.from({ length: 8 }, () => store.nonces.take('n1')))
        expect(taken.filter(Boolean)).toEqual([{ nonce: 'n1', did: 'did:a', expiresAtMs: 100 }])
        expect(await store.nonces.take('n1')).toBeUndefined()
      })

      it('deletes expired nonces only', async () => {
        await store.nonces.insert({ nonce: 'old', did: 'did:a', expiresAtMs: 50 })
        await store.nonces.insert({ nonce: 'new', did: 'did:a', expiresAtMs: 500 })
        expect(await store.nonces.deleteExpired(100)).toBeGreaterThanOrEqual(1)
        expect(await store.nonces.take('old')).toBeUndefined()
        expect(await store.nonces.take('new')).toBeDefined()
      })

      it('keeps its data and migrates again safely when reopened', async () => {
        const { did } = generateKeyPair()
        await store.principals.put({ did, roles: ['agent'], createdAtMs: 7 })
        const again = await factory.reopen()
        try {
          expect((await again.principals.get(did))?.roles).toEqual(['agent'])
        } finally {
          await again.close()
        }
      })
    },
  )
}
