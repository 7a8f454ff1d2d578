/**
 * Scoped, expiring permissions through HTTP: an admin grants, lists and takes back; a
 * `capability.call` permission limits what its holder submits on every route that submits tasks.
 * (The `validator.validate` kind is tested in validators-api.test.ts.)
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest, echo, echoCapability } from '../helpers/agents.js'
import { get, post, startTestNode } from '../helpers/test-node.js'
import { waitUntil } from '../helpers/wait-until.js'

describe('permissions over HTTP', () => {
  let node: RunningNode
  let admin: Mesh
  const agents = agentsOfTest()

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    await agents.start(node.url, echoCapability('text.upper', '0.01'), echo)
    await agents.start(node.url, echoCapability('math.echo', '0.01'), echo)
  })
  afterAll(async () => {
    await agents.closeAll()
    await admin.close()
    await node.stop()
  })

  const client = () => Mesh.connect(node.url, { key: generateKeyPair() })
  const call = (mesh: Mesh, capability: string, maxPrice = '0.01') =>
    mesh.submit(capability, { text: 'hi' }, { maxPrice, wait: 10_000 })
  const textOnly = { capability: 'text.*', maxPrice: '0.01' }

  it('grants, lists and takes back, for an admin only, each change audited', async () => {
    const alice = await client()
    const { did } = await alice.whoami()
    const url = `${node.url}/v1/principals/${did}/permissions`
    const body = { resource: 'capability', action: 'call', scope: textOnly }
    const auth = (token: string) => ({ authorization: `Bearer ${token}` })
    expect((await post(url, body, auth(alice.token))).body.error.code).toBe('FORBIDDEN')
    expect((await get(url, alice.token)).body.error.code).toBe('FORBIDDEN')

    const granted = await post(url, body, auth(node.adminToken))
    expect(granted).toMatchObject({
      status: 201,
      body: { did, resource: 'capability', action: 'call', scope: textOnly, expiresAt: null },
    })
    expect((await get(url, node.adminToken)).body.permissions).toEqual([granted.body])
    const id = granted.body.id as string
    const remove = (token: string) =>
      fetch(`${url}/${id}`, { method: 'DELETE', headers: auth(token) })
    expect((await remove(alice.token)).status).toBe(403)
    expect((await remove(node.adminToken)).status).toBe(204)
    expect((await remove(node.adminToken)).status).toBe(404)
    expect(await admin.permissions(did)).toEqual([])

    const audit = await admin.auditEntries({ actor: node.did, limit: 1000 })
    expect(
      audit.entries
        .filter((entry) => entry.resource === `principal:${did}`)
        .filter((entry) => entry.action.startsWith('principal.permission'))
        .map((entry) => [entry.action, entry.actor, (entry.details as { id: string }).id]),
    ).toEqual([
      ['principal.permission.grant', node.did, id],
      ['principal.permission.revoke', node.did, id],
    ])
    const openapi = await get(`${node.url}/openapi.json`)
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/principals/{did}/permissions',
        '/v1/principals/{did}/permissions/{permissionId}',
      ]),
    )
    expect(Object.keys(openapi.body.paths['/v1/principals/{did}'])).toContain('delete')
    await alice.close()
  })

  it.each([
    [{ resource: 'capability', action: 'validate' }, 'INVALID_INPUT', 400],
    [{ resource: 'validator', action: 'validate', scope: { maxPrice: '1' } }, 'INVALID_INPUT', 400],
    [
      { resource: 'capability', action: 'call', scope: { capability: 'Text!' } },
      'INVALID_INPUT',
      400,
    ],
    [
      { resource: 'capability', action: 'call', expiresAt: '2001-01-01T00:00:00Z' },
      'INVALID_INPUT',
      400,
    ],
    [{ resource: 'ledger', action: 'call' }, 'INVALID_INPUT', 400],
  ])('refuses the grant %j', async (body, code, status) => {
    const alice = await client()
    const url = `${node.url}/v1/principals/${(await alice.whoami()).did}/permissions`
    const answer = await post(url, body, { authorization: `Bearer ${node.adminToken}` })
    expect(answer).toMatchObject({ status, body: { error: { code } } })
    await alice.close()
  })

  it('refuses a grant past the 100 a principal may hold, as PERMISSION_LIMIT_REACHED', async () => {
    const holder = await client()
    const { did } = await holder.whoami()
    await holder.close()
    const url = `${node.url}/v1/principals/${did}/permissions`
    const body = { resource: 'capability', action: 'call', scope: textOnly }
    const auth = { authorization: `Bearer ${node.adminToken}` }
    for (let n = 0; n < 100; n++) expect((await post(url, body, auth)).status).toBe(201)
    expect(await post(url, body, auth)).toMatchObject({
      status: 409,
      body: { error: { code: 'PERMISSION_LIMIT_REACHED', retryable: false } },
    })
  })

  it('refuses a grant to a key the node does not know', async () => {
    await expect(
      admin.grantPermission(generateKeyPair().did, { resource: 'capability', action: 'call' }),
    ).rejects.toMatchObject({ code: 'PRINCIPAL_NOT_FOUND' })
  })

  it('limits calls to the capabilities and price granted; taken back, the defaults apply', async () => {
    const bob = await client()
    const { did } = await bob.whoami()
    const permission = await admin.grantPermission(did, {
      resource: 'capability',
      action: 'call',
      scope: textOnly,
    })
    expect(await call(bob, 'text.upper')).toMatchObject({ state: 'completed' })
    await expect(call(bob, 'text.upper', '0.02')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('"text.upper" at up to 0.02 USD is outside the permissions'),
    })
    await expect(call(bob, 'math.echo')).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await admin.revokePermission(did, permission.id)
    expect(await call(bob, 'math.echo')).toMatchObject({ state: 'completed' })
    await bob.close()
  })

  it('holds on the other routes that submit tasks: pipeline steps and MCP calls', async () => {
    const carol = await client()
    await admin.grantPermission((await carol.whoami()).did, {
      resource: 'capability',
      action: 'call',
      scope: textOnly,
    })
    // A step's task reserves the budget: within the permission's 0.01 here.
    const budget = { amount: '0.01', currency: 'USD' }
    const allowed = await carol.runPipeline(
      { budget, steps: [{ id: 'a', capability: 'text.upper', input: { text: 'x' } }] },
      undefined,
      { wait: 10_000 },
    )
    expect(allowed.state).toBe('completed')
    const refused = await carol.runPipeline(
      { budget, steps: [{ id: 'a', capability: 'math.echo', input: { text: 'x' } }] },
      undefined,
      { wait: 10_000 },
    )
    expect(refused.state).toBe('failed')
    expect(JSON.stringify(refused)).toContain('FORBIDDEN')

    const mcp = new Client({ name: 'test', version: '1.0.0' })
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${node.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${carol.token}` } },
      }),
    )
    const result = (await mcp.callTool({
      name: 'call_capability',
      arguments: { capability: 'math.echo', input: { text: 'hi' }, maxPrice: '0.01' },
    })) as CallToolResult
    expect(result.isError).toBe(true)
    expect((result.content[0] as { text: string }).text).toMatch(/^FORBIDDEN: /)
    await mcp.close()
    await carol.close()
  })

  it('an expired permission stops covering calls at once, without a restart', async () => {
    const dave = await client()
    const { did } = await dave.whoami()
    const expiresAtMs = Date.now() + 1000
    await admin.grantPermission(did, {
      resource: 'capability',
      action: 'call',
      scope: { capability: 'text.upper' },
      expiresAt: new Date(expiresAtMs).toISOString(),
    })
    expect(await call(dave, 'text.upper')).toMatchObject({ state: 'completed' })
    await waitUntil(() => Date.now() > expiresAtMs, { what: 'the permission to expire' })
    await expect(call(dave, 'text.upper')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining(`the permissions of "${did}" have expired`),
    })
    expect(await admin.permissions(did)).toEqual([expect.objectContaining({ expired: true })])
    await dave.close()
  })
})
