/**
 * A closed node's principals through the SDK: keys an admin registered with only `validator` or
 * only `admin` sign in by asking for those roles; the refusal names the real reason; an admin
 * removes a principal and its sessions end at once.
 */
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest, echo, echoCapability } from '../helpers/agents.js'
import { get, startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

describe('a closed node’s principals, through the SDK', () => {
  let node: RunningNode
  let admin: Mesh
  const agents = agentsOfTest()

  beforeAll(async () => {
    node = await startTestNode({ closed: true })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
  })
  afterEach(() => agents.closeAll())
  afterAll(async () => {
    await admin.close()
    await node.stop()
  })

  it('signs in a validator-only key asking for validator, and says why asking for client fails', async () => {
    const key = generateKeyPair()
    await admin.setRoles(key.did, ['validator'])
    await expect(Mesh.connect(node.url, { key })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining(`Key "${key.did}" holds roles validator; asked for client`),
    })
    const mesh = await Mesh.connect(node.url, { key, roles: ['validator'] })
    expect(await mesh.whoami()).toEqual({ did: key.did, roles: ['validator'] })
    await mesh.close()
  })

  it('signs in an admin-only key asking for admin, and it acts as an admin', async () => {
    const key = generateKeyPair()
    await admin.setRoles(key.did, ['admin'])
    const mesh = await Mesh.connect(node.url, { key, roles: ['admin'] })
    expect(await mesh.whoami()).toEqual({ did: key.did, roles: ['admin'] })
    const other = generateKeyPair()
    expect(await mesh.setRoles(other.did, ['client'])).toMatchObject({ roles: ['client'] })
    await mesh.close()
  })

  it('names the key when it is not registered at all', async () => {
    const key = generateKeyPair()
    await expect(Mesh.connect(node.url, { key, roles: ['validator'] })).rejects.toMatchObject({
      code: 'REGISTRATION_CLOSED',
      message: expect.stringContaining(`Key "${key.did}" is not registered`),
    })
  })

  it('removes a principal: its tokens are refused on the next request, cached or not', async () => {
    const key = generateKeyPair()
    await admin.setRoles(key.did, ['client', 'validator'])
    const first = await Mesh.connect(node.url, { key })
    const second = await Mesh.connect(node.url, { key, roles: ['validator'] })
    // Both tokens were just used, so the node holds them in its token cache.
    expect((await first.whoami()).did).toBe(key.did)
    expect((await second.whoami()).did).toBe(key.did)
    await admin.removePrincipal(key.did)
    for (const mesh of [first, second]) {
      expect(await get(`${node.url}/v1/auth/whoami`, mesh.token)).toMatchObject({
        status: 401,
        body: { error: { code: 'TOKEN_INVALID' } },
      })
    }
    await expect(Mesh.connect(node.url, { key })).rejects.toMatchObject({
      code: 'REGISTRATION_CLOSED',
    })
    const audit = await admin.auditEntries({ action: 'principal.remove' })
    expect(
      audit.entries.map((entry) => [entry.actor, entry.resource, entry.details]),
    ).toContainEqual([
      node.did,
      `principal:${key.did}`,
      { roles: ['client', 'validator'], sessions: 2 },
    ])
  })

  it('removing an agent closes its connection', async () => {
    const key = generateKeyPair()
    await admin.setRoles(key.did, ['agent'])
    await agents.start(node.url, echoCapability('closed.echo'), echo, { key })
    await waitUntil(() => node.context.connections.isConnected(key.did), { what: 'the agent' })
    await admin.removePrincipal(key.did)
    await waitUntil(() => !node.context.connections.isConnected(key.did), {
      what: 'the agent to be disconnected',
    })
  })

  it('refuses removal to a non-admin, of an unknown key, and of the node itself', async () => {
    const key = generateKeyPair()
    await admin.setRoles(key.did, ['client'])
    const mesh = await Mesh.connect(node.url, { key })
    await expect(mesh.removePrincipal(key.did)).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(admin.removePrincipal(generateKeyPair().did)).rejects.toMatchObject({
      code: 'PRINCIPAL_NOT_FOUND',
    })
    await expect(admin.removePrincipal(node.did)).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect((await admin.whoami()).did).toBe(node.did)
    await mesh.close()
  })
})
