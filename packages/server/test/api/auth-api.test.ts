import {
  authChallengeBytes,
  generateKeyPair,
  signBytes,
  toBase64url,
  type KeyPair,
} from '@agentmesh/protocol'
import { Mesh, MeshError } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashToken } from '../../src/core/auth/auth-service.js'
import type { RunningNode } from '../../src/node.js'
import { get, post, startTestNode } from '../helpers/test-node.js'

describe('authentication over HTTP', () => {
  let node: RunningNode

  beforeAll(async () => {
    node = await startTestNode()
  })
  afterAll(() => node.stop())

  async function signed(key: KeyPair) {
    const challenge = await post(`${node.url}/v1/auth/challenge`, { did: key.did })
    expect(challenge.status).toBe(200)
    expect(challenge.body.node).toBe(node.did)
    const signature = toBase64url(
      signBytes(authChallengeBytes(node.did, challenge.body.nonce), key),
    )
    return { did: key.did, nonce: challenge.body.nonce as string, signature }
  }

  it('serves health, readiness and node info without a token', async () => {
    expect(await get(`${node.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } })
    expect((await get(`${node.url}/readyz`)).body.ready).toBe(true)
    const info = await get(`${node.url}/v1/info`)
    expect(info.body).toMatchObject({
      did: node.did,
      mode: 'embedded',
      store: 'sqlite',
      currencies: ['USD'],
    })
    const openapi = await get(`${node.url}/openapi.json`)
    expect(Object.keys(openapi.body.paths)).toContain('/v1/auth/token')
  })

  it('signs in through the SDK with a key', async () => {
    const key = generateKeyPair()
    const mesh = await Mesh.connect(node.url, { key })
    expect(await mesh.whoami()).toEqual({ did: key.did, roles: ['client'] })
    await mesh.close()
  })

  it('answers 401 without a token and with an unknown one', async () => {
    expect((await get(`${node.url}/v1/auth/whoami`)).body.error.code).toBe('UNAUTHENTICATED')
    const unknown = await get(
      `${node.url}/v1/auth/whoami`,
      'amt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    )
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: 'TOKEN_INVALID' } } })
  })

  it('answers 401 SIGNATURE_INVALID for a bad signature', async () => {
    const key = generateKeyPair()
    const body = await signed(key)
    const bad = { ...body, signature: toBase64url(signBytes(new Uint8Array([1]), key)) }
    const result = await post(`${node.url}/v1/auth/token`, bad)
    expect(result).toMatchObject({
      status: 401,
      body: { error: { code: 'SIGNATURE_INVALID', retryable: false } },
    })
  })

  it('answers 401 for a reused nonce', async () => {
    const body = await signed(generateKeyPair())
    expect((await post(`${node.url}/v1/auth/token`, body)).status).toBe(200)
    expect(await post(`${node.url}/v1/auth/token`, body)).toMatchObject({
      status: 401,
      body: { error: { code: 'NONCE_INVALID' } },
    })
  })

  it('answers 401 for an expired nonce', async () => {
    const key = generateKeyPair()
    await node.store.nonces.insert({
      nonce: 'stale-nonce',
      did: key.did,
      expiresAtMs: Date.now() - 1,
    })
    const signature = toBase64url(signBytes(authChallengeBytes(node.did, 'stale-nonce'), key))
    const result = await post(`${node.url}/v1/auth/token`, {
      did: key.did,
      nonce: 'stale-nonce',
      signature,
    })
    expect(result).toMatchObject({ status: 401, body: { error: { code: 'NONCE_EXPIRED' } } })
  })

  it('answers 401 for a revoked token', async () => {
    const mesh = await Mesh.connect(node.url, { key: generateKeyPair() })
    const token = mesh.token
    await mesh.close()
    const revoked = await get(`${node.url}/v1/auth/whoami`, token)
    expect(revoked).toMatchObject({ status: 401, body: { error: { code: 'TOKEN_INVALID' } } })
  })

  it('answers 401 for an expired token', async () => {
    const key = generateKeyPair()
    expect((await post(`${node.url}/v1/auth/token`, await signed(key))).status).toBe(200)
    // A session whose hour has passed, as the clock leaves it.
    const token = 'amt_expiredexpiredexpiredexpiredexpiredexpire'
    await node.store.sessions.insert({
      tokenHash: hashToken(token),
      did: key.did,
      createdAtMs: Date.now() - 3_600_001,
      expiresAtMs: Date.now() - 1,
      revokedAtMs: null,
    })
    const expired = await get(`${node.url}/v1/auth/whoami`, token)
    expect(expired).toMatchObject({ status: 401, body: { error: { code: 'TOKEN_EXPIRED' } } })
  })

  it('answers 403 when the role is wrong, and lets the admin register keys', async () => {
    const client = await Mesh.connect(node.url, { key: generateKeyPair() })
    const target = generateKeyPair().did
    await expect(
      client.request('PUT', `/v1/principals/${target}`, { roles: ['validator'] }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      status: 403,
    })
    const admin = await Mesh.connect(node.url, { token: node.adminToken })
    expect(
      await admin.request('PUT', `/v1/principals/${target}`, { roles: ['validator'] }),
    ).toMatchObject({
      did: target,
      roles: ['validator'],
    })
    await expect(client.request('GET', `/v1/principals/${target}`)).rejects.toBeInstanceOf(
      MeshError,
    )
    await client.close()
  })

  it('refuses roles a key may not give itself', async () => {
    const result = await post(`${node.url}/v1/auth/token`, {
      ...(await signed(generateKeyPair())),
      roles: ['admin'],
    })
    expect(result).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
  })
})

describe('a closed node', () => {
  it('refuses keys that register themselves', async () => {
    const node = await startTestNode({ closed: true })
    try {
      await expect(Mesh.connect(node.url, { key: generateKeyPair() })).rejects.toMatchObject({
        code: 'REGISTRATION_CLOSED',
      })
    } finally {
      await node.stop()
    }
  })
})
