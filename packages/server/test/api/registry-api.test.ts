import { generateKeyPair, signJws, toBase64url, utf8, type KeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentCard, capability } from '../helpers/agent-cards.js'
import { get, post, startTestNode } from '../helpers/test-node.js'

describe('registry over HTTP', () => {
  let node: RunningNode

  beforeAll(async () => {
    node = await startTestNode()
  })
  afterAll(() => node.stop())

  const asAgent = async (key: KeyPair = generateKeyPair()) => ({
    key,
    mesh: await Mesh.connect(node.url, { key, roles: ['agent'] }),
  })
  const register = (mesh: Mesh, card: unknown) =>
    post(`${node.url}/v1/agents`, { card }, { authorization: `Bearer ${mesh.token}` })

  it('registers a signed card, reads it by DID, and finds it in search', async () => {
    const { key, mesh } = await asAgent()
    const card = agentCard(key, { name: 'registry-api-sentiment' })
    const created = await register(mesh, signJws(card, key))
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ id: key.did, version: 1, card, online: false })
    const openapi = await get(`${node.url}/openapi.json`)
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/v1/agents', '/v1/agents/{id}', '/v1/agents/watch']),
    )
    const read = await mesh.agent(key.did)
    expect(read.card).toEqual(card)
    const found = await mesh.search('registry api sentiment', { explain: true })
    expect(found.results[0]).toMatchObject({
      agentId: key.did,
      agentName: 'registry-api-sentiment',
      capabilityId: 'text.sentiment',
      price: { amount: '0.001', currency: 'USD' },
    })
    // A new agent stands at the reputation prior, and the explanation says so.
    expect(found.results[0]?.explain?.parts.reputation.reason).toMatch(/^3\.5\/5 over 0 calls/)
    await mesh.close()
  })

  it('answers 401 SIGNATURE_INVALID for an unsigned or wrongly signed card', async () => {
    const { key, mesh } = await asAgent()
    const card = agentCard(key)
    const unsigned = `${toBase64url(utf8('{"alg":"none"}'))}.${toBase64url(utf8(JSON.stringify(card)))}.`
    expect(await register(mesh, unsigned)).toMatchObject({
      status: 401,
      body: { error: { code: 'SIGNATURE_INVALID' } },
    })
    const [header, , signature] = signJws(card, key).split('.')
    const tampered = signJws({ ...card, name: 'other' }, key).split('.')[1]
    expect(await register(mesh, `${header}.${tampered}.${signature}`)).toMatchObject({
      status: 401,
      body: { error: { code: 'SIGNATURE_INVALID' } },
    })
    expect((await register(mesh, 'not-a-jws')).status).toBe(401)
    await mesh.close()
  })

  it('answers 403 for a card signed by another key or naming another DID', async () => {
    const { key, mesh } = await asAgent()
    const other = generateKeyPair()
    expect(await register(mesh, signJws(agentCard(other), other))).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    })
    expect(await register(mesh, signJws(agentCard(other), key))).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    })
    await mesh.close()
  })

  it('answers 403 to a caller without the agent role', async () => {
    const key = generateKeyPair()
    const client = await Mesh.connect(node.url, { key })
    const result = await register(client, signJws(agentCard(key), key))
    expect(result).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    await client.close()
  })

  it('answers 413 for a card over 256 KiB', async () => {
    const { key, mesh } = await asAgent()
    const big = agentCard(key, {
      capabilities: [capability({ input: { type: 'object', description: 'x'.repeat(270_000) } })],
    })
    expect(await register(mesh, signJws(big, key))).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE' } },
    })
    await mesh.close()
  })

  it('answers 422 SCHEMA_INVALID with the path of a schema that does not compile', async () => {
    const { key, mesh } = await asAgent()
    const card = agentCard(key, {
      capabilities: [
        capability(),
        capability({
          id: 'text.other',
          output: { type: 'object', properties: { score: { type: 'numbr' } } },
        }),
      ],
    })
    const result = await register(mesh, signJws(card, key))
    expect(result).toMatchObject({
      status: 422,
      body: {
        error: {
          code: 'SCHEMA_INVALID',
          details: { path: '/capabilities/1/output/properties/score/type' },
        },
      },
    })
    let deep: Record<string, unknown> = { type: 'string' }
    for (let i = 0; i < 17; i++) deep = { type: 'object', properties: { a: deep } }
    const tooDeep = agentCard(key, { capabilities: [capability({ input: deep })] })
    expect(await register(mesh, signJws(tooDeep, key))).toMatchObject({
      status: 422,
      body: { error: { code: 'SCHEMA_INVALID', details: { path: '/capabilities/0/input' } } },
    })
    await mesh.close()
  })

  it('answers 400 for a search limit over 100 and for an unknown parameter', async () => {
    const { mesh } = await asAgent()
    const over = await get(`${node.url}/v1/agents?q=x&limit=101`, mesh.token)
    expect(over).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } })
    const unknown = await get(`${node.url}/v1/agents?colour=red`, mesh.token)
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'UNKNOWN_FIELD' } } })
    await mesh.close()
  })

  it('updates only with a higher version and a new signature, and removes from search', async () => {
    const { key, mesh } = await asAgent()
    const card = agentCard(key, { name: 'versioned-agent' })
    await mesh.registerAgent(card, key)
    await expect(
      mesh.updateAgent({ ...card, description: 'same version' }, key),
    ).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
      status: 409,
    })
    const updated = await mesh.updateAgent({ ...card, version: 2, description: 'Better' }, key)
    expect(updated).toMatchObject({ version: 2, card: { description: 'Better' } })

    const stranger = await asAgent()
    await expect(stranger.mesh.removeAgent(key.did)).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await mesh.removeAgent(key.did)
    await expect(mesh.agent(key.did)).rejects.toMatchObject({
      code: 'AGENT_NOT_FOUND',
      status: 404,
    })
    expect((await mesh.search('versioned')).results).toEqual([])
    expect((await node.registry.versions(key.did)).map((v) => v.version)).toEqual([1, 2])
    await mesh.close()
    await stranger.mesh.close()
  })

  it('keeps an agent online while it heartbeats and filters with online=true', async () => {
    const { key, mesh } = await asAgent()
    await mesh.registerAgent(agentCard(key, { name: 'heartbeat-agent' }), key)
    expect((await mesh.search('heartbeat', { online: true })).results).toEqual([])
    const beat = await mesh.heartbeat(key.did, { inFlight: 0 })
    expect(beat).toMatchObject({ online: true, ttlMs: 30_000 })
    const online = await mesh.search('heartbeat', { online: true })
    expect(online.results.map((r) => r.agentId)).toEqual([key.did])
    const bare = await fetch(`${node.url}/v1/agents/${key.did}/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mesh.token}` },
    })
    expect(bare.status).toBe(200)
    const other = await asAgent()
    await expect(other.mesh.heartbeat(key.did)).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await mesh.close()
    await other.mesh.close()
  })
})
