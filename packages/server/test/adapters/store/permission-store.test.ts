import { generateKeyPair } from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Permission } from '../../../src/core/auth/auth-store.js'
import type { Store } from '../../../src/core/store.js'
import { onBothDatabases } from '../../helpers/store-backends.js'

/** The permission store, principal removal and revoking all sessions, on one implementation. */
function permissionStoreContract(
  name: string,
  open: () => Promise<Store>,
  cleanup: () => Promise<void>,
  skipReason?: string,
): void {
  describe.skipIf(skipReason !== undefined)(
    `Permission store: ${name}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let store: Store
      beforeAll(async () => {
        store = await open()
      })
      afterAll(async () => {
        await store.close()
        await cleanup()
      })

      const grant = (did: string, id: string, extra: Partial<Permission> = {}): Permission => ({
        id,
        did,
        resource: 'capability',
        action: 'call',
        scope: { capability: 'text.*', maxPrice: '0.01' },
        expiresAtMs: null,
        grantedBy: 'did:admin',
        grantedAtMs: 1000,
        ...extra,
      })

      it('stores permissions and lists a principal’s own, oldest first, expiry kept', async () => {
        const [a, b] = [generateKeyPair().did, generateKeyPair().did]
        await store.permissions.insert(grant(a, 'perm_2', { grantedAtMs: 2000 }))
        await store.permissions.insert(
          grant(a, 'perm_1', {
            resource: 'validator',
            action: 'validate',
            scope: { capability: 'check.text' },
            expiresAtMs: 1_900_000_000_000,
          }),
        )
        await store.permissions.insert(grant(b, 'perm_3'))
        expect(await store.permissions.list(a)).toEqual([
          grant(a, 'perm_1', {
            resource: 'validator',
            action: 'validate',
            scope: { capability: 'check.text' },
            expiresAtMs: 1_900_000_000_000,
          }),
          grant(a, 'perm_2', { grantedAtMs: 2000 }),
        ])
        expect((await store.permissions.list(b)).map((p) => p.id)).toEqual(['perm_3'])
      })

      it('deletes a permission only through its own principal, and all of a principal’s', async () => {
        const [a, b] = [generateKeyPair().did, generateKeyPair().did]
        await store.permissions.insert(grant(a, 'perm_a1'))
        await store.permissions.insert(grant(a, 'perm_a2'))
        await store.permissions.insert(grant(b, 'perm_b1'))
        expect(await store.permissions.delete(b, 'perm_a1')).toBe(false)
        expect(await store.permissions.delete(a, 'perm_a1')).toBe(true)
        expect(await store.permissions.delete(a, 'perm_a1')).toBe(false)
        await store.permissions.deleteAll(a)
        expect(await store.permissions.list(a)).toEqual([])
        expect((await store.permissions.list(b)).map((p) => p.id)).toEqual(['perm_b1'])
      })

      it('removes a principal and revokes every live session of it', async () => {
        const [a, b] = [generateKeyPair().did, generateKeyPair().did]
        await store.principals.put({ did: a, roles: ['validator'], createdAtMs: 1 })
        const session = (tokenHash: string, did: string, revokedAtMs: number | null = null) => ({
          tokenHash,
          did,
          createdAtMs: 1,
          expiresAtMs: null,
          revokedAtMs,
        })
        await store.sessions.insert(session(`${a}-1`, a))
        await store.sessions.insert(session(`${a}-2`, a))
        await store.sessions.insert(session(`${a}-3`, a, 5))
        await store.sessions.insert(session(`${b}-1`, b))
        expect(await store.principals.delete(a)).toBe(true)
        expect(await store.principals.delete(a)).toBe(false)
        expect(await store.principals.get(a)).toBeUndefined()
        expect(await store.sessions.revokeAll(a, 10)).toBe(2)
        expect((await store.sessions.get(`${a}-1`))?.revokedAtMs).toBe(10)
        expect((await store.sessions.get(`${a}-3`))?.revokedAtMs).toBe(5)
        expect((await store.sessions.get(`${b}-1`))?.revokedAtMs).toBeNull()
      })
    },
  )
}

await onBothDatabases(permissionStoreContract)
