import { generateKeyPair, parseAmount } from '@agentmesh/protocol'
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

let node: RunningNode
let author: Mesh
let authorDid: string
let templateId: string
let client: Mesh

const paramsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { greeting: { type: 'string', maxLength: 20 } },
  required: ['greeting'],
}

beforeAll(async () => {
  node = await startHostedNode()
  const created = await agentMesh(node.url)
  author = created.mesh
  authorDid = created.key.did
  await author.hosted.create({
    code: greeterCode('tpl.greet'),
    card: hostedCard(created.key, [greetCapability('tpl.greet')]),
  })
  const template = await author.templates.publish({
    agentId: authorDid,
    description: 'Greets in the words you choose',
    category: 'text',
    licence: 'MIT',
    paramsSchema,
    deployPrice: { amount: '0.5', currency: 'USD' },
  })
  templateId = template.id
  client = await Mesh.connect(node.url, { key: generateKeyPair(), roles: ['client'] })
})
afterAll(async () => {
  await node.stop()
})

describe('templates', () => {
  it('deploys twice with different parameters: two agents answering differently', async () => {
    const authorBefore = parseAmount((await author.account(`${authorDid}:USD`)).posted.amount)
    const first = await agentMesh(node.url)
    const second = await agentMesh(node.url)
    const a = await first.mesh.templates.deploy(templateId, { params: { greeting: 'bonjour' } })
    const b = await second.mesh.templates.deploy(templateId, { params: { greeting: 'hola' } })
    expect(a.id).toBe(first.key.did)
    expect(b.templateId).toBe(templateId)
    expect(a.codeHash).toBe(b.codeHash)
    const answer = (agentId: string) =>
      client.submit('tpl.greet', { text: 'ada' }, { agentId, maxPrice: '0.01', wait: 5000 })
    expect((await answer(a.id)).output).toEqual({ text: 'bonjour ada' })
    expect((await answer(b.id)).output).toEqual({ text: 'hola ada' })
    const listed = await client.templates.list({ category: 'text', q: 'greets' })
    expect(listed.templates.find((t) => t.id === templateId)?.deployments).toBe(2)
    const authorAfter = parseAmount((await author.account(`${authorDid}:USD`)).posted.amount)
    expect(authorAfter - authorBefore).toBeGreaterThanOrEqual(1_000_000n)
    const admin = await Mesh.connect(node.url, { token: node.adminToken })
    expect((await admin.verifyLedger()).ok).toBe(true)
  })

  it('refuses parameters failing the schema and writes nothing', async () => {
    const { mesh, key } = await agentMesh(node.url)
    for (const params of [
      {},
      { greeting: 7 },
      { greeting: 'x'.repeat(30) },
      { greeting: 'hi', other: 1 },
    ]) {
      await expect(mesh.templates.deploy(templateId, { params })).rejects.toMatchObject({
        code: 'PARAMS_MISMATCH',
        status: 422,
      })
    }
    await expect(mesh.hosted.get(key.did)).rejects.toMatchObject({ code: 'HOSTED_AGENT_NOT_FOUND' })
    const balance = await mesh.account(`${key.did}:USD`)
    expect(balance.posted.amount).toBe('10')
  })

  it('refuses a schema asking for a credential, and a card without the template’s capabilities', async () => {
    await expect(
      author.templates.publish({
        agentId: authorDid,
        description: 'x',
        category: 'text',
        licence: 'MIT',
        paramsSchema: { type: 'object', properties: { apiKey: { type: 'string' } } },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    const { mesh, key } = await agentMesh(node.url)
    const { signJws } = await import('@agentmesh/protocol')
    const card = hostedCard(key, [greetCapability('tpl.other')])
    await expect(
      mesh.request('POST', `/v1/templates/${templateId}/deploy`, {
        card: signJws(card, key),
        params: { greeting: 'yo' },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(client.templates.get('tpl_unknown')).rejects.toMatchObject({
      code: 'TEMPLATE_NOT_FOUND',
    })
  })
})
