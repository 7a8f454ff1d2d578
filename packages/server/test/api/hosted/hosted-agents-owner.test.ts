import { generateKeyPair, signJws } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../../src/node.js'
import {
  agentMesh,
  greetCapability,
  greeterCode,
  hostedCard,
  startHostedNode,
} from '../../helpers/hosted-fixture.js'
import { post, type ApiBody } from '../../helpers/test-node.js'

let node: RunningNode
let owner: Mesh
let ownerDid: string
let stranger: Mesh
let client: Mesh

beforeAll(async () => {
  node = await startHostedNode()
  const created = await agentMesh(node.url)
  owner = created.mesh
  ownerDid = created.key.did
  await owner.hosted.create({
    code: greeterCode('owned.greet'),
    card: hostedCard(created.key, [greetCapability('owned.greet')]),
  })
  stranger = (await agentMesh(node.url)).mesh
  client = await Mesh.connect(node.url, { key: generateKeyPair(), roles: ['client'] })
})
afterAll(async () => {
  await node.stop()
})

const online = async (id: string) => (await client.agent(id)).online

describe('a hosted agent is its owner’s alone', () => {
  it('answers another principal 404 on every owner route', async () => {
    const id = encodeURIComponent(ownerDid)
    const attempts: [string, string][] = [
      ['GET', `/v1/hosted-agents/${id}`],
      ['PATCH', `/v1/hosted-agents/${id}`],
      ['POST', `/v1/hosted-agents/${id}/stop`],
      ['POST', `/v1/hosted-agents/${id}/start`],
      ['DELETE', `/v1/hosted-agents/${id}`],
      ['GET', `/v1/hosted-agents/${id}/logs`],
    ]
    for (const [method, path] of attempts) {
      const error = await stranger
        .request(method, path, method === 'PATCH' ? { limits: { cpuMs: 10 } } : undefined)
        .catch((e: unknown) => e)
      expect(error, `${method} ${path}`).toMatchObject({
        code: 'HOSTED_AGENT_NOT_FOUND',
        status: 404,
      })
    }
    expect((await stranger.hosted.list()).hostedAgents).toEqual([])
    expect((await owner.hosted.get(ownerDid)).limits.cpuMs).toBe(1000)
  })

  it('stops (offline, calls refused) and starts (online, served) with the owner', async () => {
    expect(await online(ownerDid)).toBe(true)
    expect((await owner.hosted.stop(ownerDid)).state).toBe('stopped')
    expect(await online(ownerDid)).toBe(false)
    await expect(
      client.call('owned.greet', { text: 'x' }, { maxPrice: '0.01', timeoutMs: 1000 }),
    ).rejects.toBeDefined()
    expect((await owner.hosted.start(ownerDid)).state).toBe('started')
    expect(await online(ownerDid)).toBe(true)
    expect(await client.call('owned.greet', { text: 'x' }, { maxPrice: '0.01' })).toEqual({
      text: 'hello x',
    })
  })

  it('updates the code and limits, auditing the new hash', async () => {
    const before = await owner.hosted.get(ownerDid)
    const code = greeterCode('owned.greet').replace("'hello'", "'hi'")
    const updated = await owner.hosted.update(ownerDid, { code, limits: { cpuMs: 500 } })
    expect(updated.codeHash).not.toBe(before.codeHash)
    expect(updated.limits.cpuMs).toBe(500)
    expect(await client.call('owned.greet', { text: 'x' }, { maxPrice: '0.01' })).toEqual({
      text: 'hi x',
    })
    const admin = await Mesh.connect(node.url, { token: node.adminToken })
    const audit = await admin.auditEntries({ action: 'hosted.update' })
    expect(audit.entries.at(-1)?.details).toMatchObject({
      previousCodeHash: before.codeHash,
      codeHash: updated.codeHash,
    })
    await expect(
      owner.hosted.update(ownerDid, { limits: { cpuMs: 10_000_000 } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('refuses bad uploads with their codes and writes nothing', async () => {
    const { mesh, key } = await agentMesh(node.url)
    const card = hostedCard(key, [greetCapability('bad.greet')])
    const send = (body: ApiBody) =>
      post(`${node.url}/v1/hosted-agents`, body, { authorization: `Bearer ${mesh.token}` })
    const huge = greeterCode('bad.greet') + `// ${'x'.repeat(300 * 1024)}\n`
    expect((await send({ code: huge, card: signJws(card, key) })).body.error.code).toBe(
      'PAYLOAD_TOO_LARGE',
    )
    const jws = signJws(card, key)
    const [h, p, s] = jws.split('.')
    const forged = `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`
    const bad = await send({ code: greeterCode('bad.greet'), card: forged })
    expect(bad.status).toBe(401)
    expect(bad.body.error.code).toBe('SIGNATURE_INVALID')
    const other = await send({
      code: greeterCode('bad.greet'),
      card: signJws(card, generateKeyPair()),
    })
    expect(other.status).toBe(403)
    const extra = await send({ code: greeterCode('bad.greet'), card: jws, shell: true })
    expect(extra.body.error.code).toBe('UNKNOWN_FIELD')
    await expect(mesh.hosted.get(key.did)).rejects.toMatchObject({ code: 'HOSTED_AGENT_NOT_FOUND' })
    await expect(client.agent(key.did)).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' })
  })

  it('deletes the agent and its registration', async () => {
    const { mesh, key } = await agentMesh(node.url)
    await mesh.hosted.create({
      code: greeterCode('gone.greet'),
      card: hostedCard(key, [greetCapability('gone.greet')]),
    })
    await mesh.hosted.delete(key.did)
    await expect(mesh.hosted.get(key.did)).rejects.toMatchObject({ code: 'HOSTED_AGENT_NOT_FOUND' })
    await expect(client.agent(key.did)).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' })
  })
})
