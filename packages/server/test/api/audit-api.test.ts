import {
  authChallengeBytes,
  fromHex,
  generateKeyPair,
  signBytes,
  toBase64url,
  verifyConsistency,
  verifyInclusion,
  verifyJws,
} from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { get, post, startTestNode, type ApiBody } from '../helpers/test-node.js'

describe('audit log over HTTP', () => {
  let node: RunningNode
  let alice: Mesh
  const aliceKey = generateKeyPair()
  const mallory = generateKeyPair()

  beforeAll(async () => {
    node = await startTestNode()
    alice = await Mesh.connect(node.url, { key: aliceKey })
    // A sign-in with a bad signature is denied, and recorded as such.
    const challenge = await post(`${node.url}/v1/auth/challenge`, { did: mallory.did })
    const signature = toBase64url(signBytes(authChallengeBytes(node.did, 'other'), mallory))
    await post(`${node.url}/v1/auth/token`, {
      did: mallory.did,
      nonce: challenge.body.nonce,
      signature,
    })
    const roles = await fetch(`${node.url}/v1/principals/${aliceKey.did}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${node.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ roles: ['client', 'agent'] }),
    })
    expect(roles.status).toBe(200)
    await node.audit.signHead(Date.now())
  })
  afterAll(async () => {
    await alice.close()
    await node.stop()
  })

  const admin = () => node.adminToken
  const entriesOf = async (query: string, token?: string): Promise<ApiBody[]> => {
    const { body } = await get(`${node.url}/v1/audit${query}`, token)
    return body.entries as ApiBody[]
  }

  it('records sign-ins, denied sign-ins with their code, and role changes by whom', async () => {
    const entries = await entriesOf('?limit=1000', admin())
    const actions = entries.map((e): unknown[] => [e.actor, e.action, e.result])
    expect(actions).toContainEqual([node.did, 'principal.roles', 'ok'])
    expect(actions).toContainEqual([aliceKey.did, 'auth.login', 'ok'])
    expect(actions).toContainEqual([aliceKey.did, 'principal.roles', 'ok'])
    const denied = entries.find((e) => e.actor === mallory.did)
    expect(denied).toMatchObject({
      action: 'auth.login',
      result: 'denied',
      details: { code: 'SIGNATURE_INVALID' },
    })
    const granted = entries.filter(
      (e) => e.action === 'principal.roles' && e.resource === `principal:${aliceKey.did}`,
    )
    expect(granted.at(-1)).toMatchObject({
      actor: node.did,
      details: { from: ['client'], to: ['client', 'agent'] },
    })
  })

  it('lets an admin filter by actor, action and time, and page with a cursor', async () => {
    const logins = await entriesOf('?action=auth.login', admin())
    expect(logins.every((e) => e.action === 'auth.login')).toBe(true)
    expect(await entriesOf(`?actor=${encodeURIComponent(mallory.did)}`, admin())).toHaveLength(1)
    expect(await entriesOf('?to=2000-01-01T00:00:00Z', admin())).toEqual([])
    const first = (await get(`${node.url}/v1/audit?limit=2`, admin())).body
    expect(first.entries).toHaveLength(2)
    const next = (await get(`${node.url}/v1/audit?limit=2&cursor=${first.nextCursor}`, admin()))
      .body
    expect(next.entries[0].seq).toBe(3)
  })

  it('shows anyone else only the entries where they are the actor', async () => {
    const own = (await alice.auditEntries()).entries
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((e) => e.actor === aliceKey.did)).toBe(true)
    const other = await get(
      `${node.url}/v1/audit?actor=${encodeURIComponent(node.did)}`,
      alice.token,
    )
    expect(other).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    expect((await get(`${node.url}/v1/audit`)).status).toBe(401)
    expect((await get(`${node.url}/v1/audit?color=red`, admin())).body.error.code).toBe(
      'UNKNOWN_FIELD',
    )
  })

  it('publishes the signed tree head to anyone', async () => {
    const head = await get(`${node.url}/v1/audit/head`)
    expect(head.status).toBe(200)
    const { payload } = verifyJws(head.body.signature, node.did)
    expect(payload).toEqual({ size: head.body.size, root: head.body.root, time: head.body.time })
  })

  it('serves inclusion proofs of own entries (any for an admin) that verify against the head', async () => {
    const head = await alice.auditHead()
    const own = (await alice.auditEntries()).entries[0]!
    const proof = await alice.auditInclusionProof(own.seq)
    expect(proof.size).toBe(head.size)
    const ok = verifyInclusion(
      fromHex(own.leafHash),
      proof.leafIndex,
      proof.size,
      proof.path.map(fromHex),
      fromHex(head.root),
    )
    expect(ok).toBe(true)
    const notHers = await get(`${node.url}/v1/audit/proofs/inclusion?seq=1`, alice.token)
    expect(notHers).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    expect((await get(`${node.url}/v1/audit/proofs/inclusion?seq=1`, admin())).status).toBe(200)
    expect((await get(`${node.url}/v1/audit/proofs/inclusion?seq=1`)).status).toBe(401)
    const beyond = await get(`${node.url}/v1/audit/proofs/inclusion?seq=999999`, admin())
    expect(beyond).toMatchObject({
      status: 404,
      body: { error: { code: 'AUDIT_ENTRY_NOT_FOUND' } },
    })
  })

  it('serves consistency proofs between an old head and the latest', async () => {
    const old = await alice.auditHead()
    await Mesh.connect(node.url, { key: generateKeyPair() }).then((m) => m.close())
    await node.audit.signHead(Date.now())
    const head = await alice.auditHead()
    expect(head.size).toBeGreaterThan(old.size)
    const proof = await alice.auditConsistencyProof(old.size)
    const ok = verifyConsistency(
      old.size,
      head.size,
      fromHex(old.root),
      fromHex(head.root),
      proof.path.map(fromHex),
    )
    expect(ok).toBe(true)
    const bad = await get(`${node.url}/v1/audit/proofs/consistency?from=5&to=2`, alice.token)
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } })
  })
})
