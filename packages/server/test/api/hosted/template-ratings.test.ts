import { generateKeyPair } from '@agentmesh/protocol'
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
import { post } from '../../helpers/test-node.js'

let node: RunningNode
let author: Mesh
const templates: string[] = []

/** A hosted agent published as a template by a new author; answers the template's id. */
async function publish(capability: string): Promise<string> {
  const { mesh, key } = await agentMesh(node.url)
  await mesh.hosted.create({
    code: greeterCode(capability),
    card: hostedCard(key, [greetCapability(capability)]),
  })
  const template = await mesh.templates.publish({
    agentId: key.did,
    description: `Rated greeter ${capability}`,
    category: 'rated',
    licence: 'MIT',
    paramsSchema: { type: 'object', properties: { greeting: { type: 'string' } } },
  })
  author ??= mesh
  return template.id
}

/** A new deployer of `templateId`. */
async function deployer(templateId: string): Promise<Mesh> {
  const { mesh } = await agentMesh(node.url)
  await mesh.templates.deploy(templateId, { params: { greeting: 'hi' } })
  return mesh
}

beforeAll(async () => {
  node = await startHostedNode()
  for (const capability of ['rate.a', 'rate.b', 'rate.c']) templates.push(await publish(capability))
}, 60_000)
afterAll(async () => {
  await node.stop()
})

describe('template ratings', () => {
  it('keeps one rating per deployer, replaced when it rates again, and shows their mean', async () => {
    const [a] = templates
    const first = await deployer(a!)
    const second = await deployer(a!)
    expect((await first.templates.rate(a!, { stars: 5, comment: 'great' })).template).toMatchObject(
      { rating: 5, ratings: 1 },
    )
    await second.templates.rate(a!, { stars: 2 })
    expect(await first.templates.get(a!)).toMatchObject({ rating: 3.5, ratings: 2 })
    const again = await second.templates.rate(a!, { stars: 4, comment: 'better now' })
    expect(again.rating).toMatchObject({ stars: 4, comment: 'better now' })
    expect(again.template).toMatchObject({ rating: 4.5, ratings: 2 })

    const page = await first.templates.ratings(a!)
    expect(page.ratings.map((r) => [r.stars, r.comment])).toEqual([
      [4, 'better now'],
      [5, 'great'],
    ])
    const latest = page.ratings[0]!
    expect(Date.parse(latest.updatedAt)).toBeGreaterThanOrEqual(Date.parse(latest.createdAt))
    const admin = await Mesh.connect(node.url, { token: node.adminToken })
    const audit = await admin.auditEntries({ action: 'template.rate' })
    expect(audit.entries.filter((e) => e.resource === `template:${a}`)).toHaveLength(3)
  })

  it('sorts by mean rating, unrated last', async () => {
    const [a, b, c] = templates
    const rater = await deployer(b!)
    await rater.templates.rate(b!, { stars: 3 })
    const client = await Mesh.connect(node.url, { key: generateKeyPair(), roles: ['client'] })
    const byRating = await client.templates.list({ category: 'rated', sort: 'rating' })
    expect(byRating.templates.map((t) => t.id)).toEqual([a, b, c])
    expect(byRating.templates.map((t) => [t.rating, t.ratings])).toEqual([
      [4.5, 2],
      [3, 1],
      [null, 0],
    ])
  })

  it('refuses the owner, anyone who never deployed it, and bad stars; nothing is written', async () => {
    const [, , c] = templates
    const stranger = (await agentMesh(node.url)).mesh
    for (const mesh of [stranger, author]) {
      await expect(mesh.templates.rate(templates[0]!, { stars: 5 })).rejects.toMatchObject({
        code: 'TEMPLATE_NOT_DEPLOYED',
        status: 403,
      })
    }
    const rater = await deployer(c!)
    for (const body of [
      { stars: 0 },
      { stars: 6 },
      { stars: 2.5 },
      { stars: 3, comment: 'x'.repeat(1001) },
      { stars: 3, extra: true },
    ]) {
      const answer = await post(`${node.url}/v1/templates/${c}/ratings`, body, {
        authorization: `Bearer ${rater.token}`,
      })
      expect(answer.status, JSON.stringify(body)).toBe(400)
    }
    await expect(rater.templates.rate('tpl_unknown', { stars: 3 })).rejects.toMatchObject({
      code: 'TEMPLATE_NOT_FOUND',
    })
    expect(await rater.templates.get(c!)).toMatchObject({ rating: null, ratings: 0 })
    expect((await rater.templates.ratings(c!)).ratings).toEqual([])
  })
})
