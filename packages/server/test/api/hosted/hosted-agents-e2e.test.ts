import { generateKeyPair, parseAmount } from '@agentmesh/protocol'
import { Mesh, MeshError } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../../src/node.js'
import {
  agentMesh,
  greetCapability,
  greeterCode,
  hostedCard,
  startHostedNode,
} from '../../helpers/hosted-fixture.js'
import { waitUntil } from '../../helpers/wait-until.js'

let node: RunningNode
let admin: Mesh
let client: Mesh

const micros = (balance: { posted: { amount: string } }) => parseAmount(balance.posted.amount)

beforeAll(async () => {
  node = await startHostedNode()
  admin = await Mesh.connect(node.url, { token: node.adminToken })
  client = await Mesh.connect(node.url, { key: generateKeyPair(), roles: ['client'] })
})
afterAll(async () => {
  await node.stop()
})

describe('hosted agents', () => {
  it('uploads code that is discovered, called, settled and billed to its owner', async () => {
    const { mesh: owner, key } = await agentMesh(node.url)
    const capability = greetCapability('hosted.greet', '0.01')
    const created = await owner.hosted.create({
      code: greeterCode('hosted.greet'),
      card: hostedCard(key, [capability]),
    })
    expect(created).toMatchObject({ id: key.did, state: 'started', capabilities: ['hosted.greet'] })
    expect(created.codeHash).toMatch(/^[0-9a-f]{64}$/)

    const found = await client.search('greets', { capability: 'hosted.greet' })
    expect(found.results.map((r) => r.agentId)).toContain(key.did)
    const ownerBefore = micros(await owner.account(`${key.did}:USD`))
    const nodeAccount = `${node.did}:USD`
    const nodeBefore = micros(
      await admin.account(nodeAccount).catch(() => ({ posted: { amount: '0' } })),
    )

    const output = await client.call('hosted.greet', { text: 'ada' }, { maxPrice: '0.01' })
    expect(output).toEqual({ text: 'hello ada' })

    const view = await owner.hosted.get(key.did)
    expect(view.usage.calls).toBe(1)
    expect(view.usage.wallMs).toBeGreaterThan(0)
    const cost = parseAmount(view.usage.cost.amount)
    expect(cost).toBeGreaterThan(0n)
    // The owner earned the price and paid the metered cost; the node got the cost.
    await waitUntil(async () => micros(await owner.account(`${key.did}:USD`)) !== ownerBefore)
    expect(micros(await owner.account(`${key.did}:USD`))).toBe(ownerBefore + 10_000n - cost)
    expect(micros(await admin.account(nodeAccount))).toBe(nodeBefore + cost)
    const transfers = await owner.accountTransfers(`${key.did}:USD`)
    expect(transfers.transfers.some((t) => t.code === 'fee' && t.kind === 'post')).toBe(true)
    expect((await admin.verifyLedger()).ok).toBe(true)
    const audit = await admin.auditEntries({ action: 'hosted.create' })
    expect(audit.entries.at(-1)?.details).toMatchObject({ codeHash: created.codeHash })
    expect((await owner.hosted.logs(key.did)).map((l) => l.message)).toContain('greeting ada')
  })

  it('refuses a card capability the module does not define, and writes nothing', async () => {
    const { mesh: owner, key } = await agentMesh(node.url)
    const card = hostedCard(key, [
      greetCapability('hosted.greet2'),
      greetCapability('hosted.absent'),
    ])
    const error = await owner.hosted
      .create({ code: greeterCode('hosted.greet2'), card })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MeshError)
    expect(error).toMatchObject({ code: 'HOSTED_CODE_MISMATCH', status: 422 })
    await expect(owner.hosted.get(key.did)).rejects.toMatchObject({
      code: 'HOSTED_AGENT_NOT_FOUND',
    })
    await expect(owner.agent(key.did)).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' })
  })
})
