/**
 * OWASP API2:2023 Broken Authentication: a session is won only by signing a fresh nonce with the
 * key being claimed, and a token stops working when it expires or is revoked.
 */
import {
  authChallengeBytes,
  generateKeyPair,
  signBytes,
  toBase64url,
  type KeyPair,
} from '@agentmesh/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { get, post, startTestNode } from '../helpers/test-node.js'

describe('API2 authentication', () => {
  let node: RunningNode
  // A node whose nonces expire the moment they are issued.
  let expiring: RunningNode

  beforeAll(async () => {
    node = await startTestNode()
    expiring = await startTestNode({ nonceTtlMs: 0 })
  })
  afterAll(async () => {
    await node.stop()
    await expiring.stop()
  })

  async function signedChallenge(on: RunningNode, claimed: string, signer: KeyPair) {
    const challenge = await post(`${on.url}/v1/auth/challenge`, { did: claimed })
    const nonce = challenge.body.nonce as string
    const signature = toBase64url(signBytes(authChallengeBytes(on.did, nonce), signer))
    return { did: claimed, nonce, signature }
  }

  it('refuses a replayed nonce: the first sign-in consumed it', async () => {
    const key = generateKeyPair()
    const fresh = await signedChallenge(node, key.did, key)
    expect((await post(`${node.url}/v1/auth/token`, fresh)).status).toBe(200)
    expect(await post(`${node.url}/v1/auth/token`, fresh)).toMatchObject({
      status: 401,
      body: { error: { code: 'NONCE_INVALID' } },
    })
  })

  it('refuses an expired nonce', async () => {
    const key = generateKeyPair()
    const body = await signedChallenge(expiring, key.did, key)
    expect(await post(`${expiring.url}/v1/auth/token`, body)).toMatchObject({
      status: 401,
      body: { error: { code: 'NONCE_EXPIRED' } },
    })
  })

  it('refuses a nonce signed by a key other than the one claimed', async () => {
    const victim = generateKeyPair()
    const body = await signedChallenge(node, victim.did, generateKeyPair())
    expect(await post(`${node.url}/v1/auth/token`, body)).toMatchObject({
      status: 401,
      body: { error: { code: 'SIGNATURE_INVALID' } },
    })
    expect(await node.store.principals.get(victim.did)).toBeUndefined()
  })

  it('refuses a nonce issued to another DID, even signed by the claimed key', async () => {
    const key = generateKeyPair()
    const other = await post(`${node.url}/v1/auth/challenge`, { did: generateKeyPair().did })
    const nonce = other.body.nonce as string
    const signature = toBase64url(signBytes(authChallengeBytes(node.did, nonce), key))
    expect(
      await post(`${node.url}/v1/auth/token`, { did: key.did, nonce, signature }),
    ).toMatchObject({ status: 401, body: { error: { code: 'NONCE_INVALID' } } })
  })

  it("refuses a signature over another node's challenge", async () => {
    const key = generateKeyPair()
    const challenge = await post(`${node.url}/v1/auth/challenge`, { did: key.did })
    const nonce = challenge.body.nonce as string
    const signature = toBase64url(signBytes(authChallengeBytes(expiring.did, nonce), key))
    expect(
      (await post(`${node.url}/v1/auth/token`, { did: key.did, nonce, signature })).status,
    ).toBe(401)
  })

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const key = generateKeyPair()
    await node.context.auth.ensurePrincipal(key.did, ['client'])
    const { token } = await node.context.auth.issue(key.did, -1)
    expect(await get(`${node.url}/v1/auth/whoami`, token)).toMatchObject({
      status: 401,
      body: { error: { code: 'TOKEN_EXPIRED' } },
    })
  })

  it('refuses a revoked token, a malformed header and a token of another node', async () => {
    const key = generateKeyPair()
    await node.context.auth.ensurePrincipal(key.did, ['client'])
    const { token } = await node.context.auth.issue(key.did, 60_000)
    expect((await get(`${node.url}/v1/auth/whoami`, token)).status).toBe(200)
    await node.context.auth.revoke(token)
    expect(await get(`${node.url}/v1/auth/whoami`, token)).toMatchObject({
      status: 401,
      body: { error: { code: 'TOKEN_INVALID' } },
    })
    const malformed = await fetch(`${node.url}/v1/auth/whoami`, {
      headers: { authorization: `Basic ${token}` },
    })
    expect(malformed.status).toBe(401)
    expect((await get(`${node.url}/v1/auth/whoami`, expiring.adminToken)).status).toBe(401)
  })
})
