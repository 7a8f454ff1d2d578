import {
  authChallengeBytes,
  generateKeyPair,
  signBytes,
  toBase64url,
  type KeyPair,
} from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/adapters/store/open-store.js'
import { systemRandom } from '../../../src/adapters/system/system-random.js'
import { AuthService, CALLER_CACHE_MS, hashToken } from '../../../src/core/auth/auth-service.js'
import type { Store } from '../../../src/core/store.js'

const node = generateKeyPair()

class TestClock {
  nowMs = 1_800_000_000_000
  now = () => this.nowMs
}

describe('AuthService', () => {
  let store: Store
  let clock: TestClock
  let auth: AuthService

  const make = (closed = false) =>
    new AuthService(
      { store, clock, random: systemRandom },
      { nodeDid: node.did, closed, nonceTtlMs: 60_000, sessionTtlMs: 3_600_000 },
    )

  const signIn = async (key: KeyPair, service = auth) => {
    const { nonce } = await service.challenge(key.did)
    const signature = toBase64url(signBytes(authChallengeBytes(node.did, nonce), key))
    return { nonce, signature }
  }

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' })
    clock = new TestClock()
    auth = make()
  })
  afterEach(() => store.close())

  it('registers a new key as a client and issues a working token', async () => {
    const key = generateKeyPair()
    const issued = await auth.login({ did: key.did, ...(await signIn(key)) })
    expect(issued.roles).toEqual(['client'])
    expect(issued.token).toMatch(/^amt_[A-Za-z0-9_-]{43}$/)
    expect(await auth.authenticate(issued.token)).toEqual({ did: key.did, roles: ['client'] })
  })

  it('stores only the hash of a token', async () => {
    const key = generateKeyPair()
    const { token } = await auth.login({ did: key.did, ...(await signIn(key)) })
    expect(await store.sessions.get(token)).toBeUndefined()
    expect((await store.sessions.get(hashToken(token)))?.did).toBe(key.did)
  })

  it('refuses a nonce the second time', async () => {
    const key = generateKeyPair()
    const signed = await signIn(key)
    await auth.login({ did: key.did, ...signed })
    await expect(auth.login({ did: key.did, ...signed })).rejects.toMatchObject({
      code: 'NONCE_INVALID',
    })
  })

  it('refuses a nonce after 60 seconds', async () => {
    const key = generateKeyPair()
    const signed = await signIn(key)
    clock.nowMs += 60_000
    await expect(auth.login({ did: key.did, ...signed })).rejects.toMatchObject({
      code: 'NONCE_EXPIRED',
      status: 401,
    })
  })

  it('refuses a nonce issued to another DID, and consumes it', async () => {
    const alice = generateKeyPair()
    const mallory = generateKeyPair()
    const signed = await signIn(alice)
    await expect(auth.login({ did: mallory.did, ...signed })).rejects.toMatchObject({
      code: 'NONCE_INVALID',
    })
    await expect(auth.login({ did: alice.did, ...signed })).rejects.toMatchObject({
      code: 'NONCE_INVALID',
    })
  })

  it('refuses a signature by another key, and registers nothing', async () => {
    const key = generateKeyPair()
    const { nonce } = await auth.challenge(key.did)
    const forged = toBase64url(signBytes(authChallengeBytes(node.did, nonce), generateKeyPair()))
    await expect(auth.login({ did: key.did, nonce, signature: forged })).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    })
    expect(await store.principals.get(key.did)).toBeUndefined()
  })

  it('refuses a signature made for another node', async () => {
    const key = generateKeyPair()
    const { nonce } = await auth.challenge(key.did)
    const signature = toBase64url(signBytes(authChallengeBytes(generateKeyPair().did, nonce), key))
    await expect(auth.login({ did: key.did, nonce, signature })).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    })
  })

  it('expires tokens after the session time to live', async () => {
    const key = generateKeyPair()
    const { token } = await auth.login({ did: key.did, ...(await signIn(key)) })
    clock.nowMs += 3_600_000 - 1
    await expect(auth.authenticate(token)).resolves.toBeDefined()
    clock.nowMs += 1
    await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' })
  })

  it('refuses a revoked token', async () => {
    const key = generateKeyPair()
    const { token } = await auth.login({ did: key.did, ...(await signIn(key)) })
    expect(await auth.revoke(token)).toBe(true)
    await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' })
  })

  it('lets a key add the agent role to itself but never admin or validator', async () => {
    const key = generateKeyPair()
    await auth.login({ did: key.did, ...(await signIn(key)) })
    const asAgent = await auth.login({ did: key.did, roles: ['agent'], ...(await signIn(key)) })
    expect(asAgent.roles).toEqual(['client', 'agent'])
    await expect(
      auth.login({ did: key.did, roles: ['admin'], ...(await signIn(key)) }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    expect((await store.principals.get(key.did))?.roles).toEqual(['client', 'agent'])
  })

  it('on a closed node, refuses unknown keys until an admin registers them', async () => {
    const closed = make(true)
    const key = generateKeyPair()
    await expect(
      closed.login({ did: key.did, ...(await signIn(key, closed)) }),
    ).rejects.toMatchObject({
      code: 'REGISTRATION_CLOSED',
      status: 403,
    })
    await closed.setRoles(key.did, ['client'])
    await expect(
      closed.login({ did: key.did, ...(await signIn(key, closed)) }),
    ).resolves.toMatchObject({
      roles: ['client'],
    })
  })

  it('trusts a looked-up token for a second, but sees its own revocations and role changes at once', async () => {
    const key = generateKeyPair()
    const issued = await auth.login({ did: key.did, ...(await signIn(key)) })
    const elsewhere = make() // another node on the same database
    expect(await elsewhere.authenticate(issued.token)).toEqual({ did: key.did, roles: ['client'] })
    await auth.setRoles(key.did, ['client', 'agent'])
    expect((await auth.authenticate(issued.token)).roles).toEqual(['client', 'agent'])
    expect((await elsewhere.authenticate(issued.token)).roles).toEqual(['client'])
    clock.nowMs += CALLER_CACHE_MS
    expect((await elsewhere.authenticate(issued.token)).roles).toEqual(['client', 'agent'])
    await auth.revoke(issued.token)
    await expect(auth.authenticate(issued.token)).rejects.toMatchObject({ code: 'TOKEN_INVALID' })
    clock.nowMs += CALLER_CACHE_MS
    await expect(elsewhere.authenticate(issued.token)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    })
  })

  it('refuses a cached token once it expires, without waiting for the cache', async () => {
    const key = generateKeyPair()
    const issued = await auth.login({ did: key.did, ...(await signIn(key)) })
    await auth.authenticate(issued.token)
    clock.nowMs = issued.expiresAtMs! // the same millisecond the token expires
    await expect(auth.authenticate(issued.token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' })
  })
})
