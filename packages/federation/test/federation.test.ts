import { generateKeyPair, verifyJws, type FederationView } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo, echoCapability, startAgent } from '../../server/test/helpers/agents.js'
import { get, post } from '../../server/test/helpers/test-node.js'
import { waitUntil } from '../../server/test/helpers/wait-until.js'
import { startPeerNode, tempDir, type RunningNode } from './federation-fixture.js'

let a: RunningNode
let b: RunningNode
let c: RunningNode
const closers: (() => Promise<unknown>)[] = []
const cDir = tempDir()

// A roomy SLA: the first stream to a peer dials it, and the test machine is shared.
const remote = echoCapability('text.remote', '0.1', 10_000)

async function search(node: RunningNode, capability: string) {
  const url = `${node.url}/v1/agents?capability=${capability}&scope=federation`
  return (await get(url, node.adminToken)).body.results as {
    agentId: string
    node?: { did: string; latencyMs?: number }
  }[]
}

const view = async (node: RunningNode): Promise<FederationView> =>
  (await get(`${node.url}/v1/federation`, node.adminToken)).body as FederationView

beforeAll(async () => {
  b = await startPeerNode()
  const bootstrap = b.federation!.multiaddrs()
  c = await startPeerNode({ bootstrap, dataDir: cDir })
  a = await startPeerNode({ bootstrap })
  const agent = await startAgent(c.url, remote, echo)
  closers.push(() => agent.agent.close())
})

afterAll(async () => {
  for (const close of closers.reverse()) await close()
  await Promise.all([a?.stop(), b?.stop(), c?.stop()])
})

describe('three nodes peering on loopback', () => {
  it('finds a capability served on C from A through gossip, with C as its node', async () => {
    await waitUntil(async () => (await search(a, 'text.remote')).some((r) => r.node), {
      what: 'C to be found from A',
    })
    const [hit] = (await search(a, 'text.remote')).filter((r) => r.node)
    expect(hit!.node!.did).toBe(c.did)
    // A's own registry still knows nothing of it: without the scope, no result.
    const local = await get(`${a.url}/v1/agents?capability=text.remote`, a.adminToken)
    expect(local.body.results).toEqual([])
  })

  it('runs a paid task A → C with a receipt A verified and clearing right on both sides', async () => {
    const client = await Mesh.connect(a.url, { key: generateKeyPair() })
    closers.push(() => client.close())
    const output = await client.call('text.remote', { text: 'over the wire' }, { maxPrice: '0.5' })
    expect(output).toEqual({ text: 'over the wire' })
    await a.audit.flush()
    const page = await a.audit.list({ did: a.did, roles: ['admin'] }, { actor: c.did })
    const receipts = page.entries.filter((e) => e.action === 'federation.receipt')
    expect(receipts).toHaveLength(1)
    const receipt = verifyJws<{ price: string; issuer: string }>(
      (receipts[0]!.details as { receipt: string }).receipt,
      c.did,
    )
    expect(receipt.payload).toMatchObject({ price: '0.1', issuer: c.did })
    const fromA = (await view(a)).peers.find((p) => p.did === c.did)!
    const fromC = (await view(c)).peers.find((p) => p.did === a.did)!
    expect(fromA.clearing).toEqual({ currency: 'USD', net: '0.1', creditLimit: '1' })
    expect(fromC.clearing).toEqual({ currency: 'USD', net: '-0.1', creditLimit: '1' })
    expect(fromA.reputation.tasks - fromA.reputation.failures).toBe(1)
    expect(fromA.reputation).toMatchObject({ badReceipts: 0, demoted: false })
    const statement = await post(
      `${a.url}/v1/federation/statements`,
      { peer: c.did },
      { authorization: `Bearer ${a.adminToken}` },
    )
    expect(statement.status).toBe(200)
    expect(statement.body.statement).toMatchObject({ from: a.did, to: c.did, net: '0.1' })
    expect(verifyJws(statement.body.signatures.to, c.did).payload).toEqual(statement.body.statement)
  })

  it('refuses work past the credit limit with FEDERATION_CREDIT_LIMIT', async () => {
    const client = await Mesh.connect(a.url, { key: generateKeyPair() })
    closers.push(() => client.close())
    const pricey = echoCapability('text.pricey', '2', 10_000)
    const agent = await startAgent(c.url, pricey, echo)
    closers.push(() => agent.agent.close())
    await waitUntil(async () => (await search(a, 'text.pricey')).length > 0)
    const error = await client
      .call('text.pricey', { text: 'x' }, { maxPrice: '3' })
      .catch((e: unknown) => e as { code: string })
    expect(error).toMatchObject({ code: 'FEDERATION_CREDIT_LIMIT' })
    const fromA = (await view(a)).peers.find((p) => p.did === c.did)!
    expect(fromA.clearing.net).toBe('0.1')
  })

  it("expires a stopped node's announcements and finds them again after its restart", async () => {
    const oldDid = c.did
    await c.stop()
    await waitUntil(async () => !(await search(a, 'text.remote')).some((r) => r.node), {
      what: "C's announcements to expire on A",
    })
    c = await startPeerNode({ bootstrap: b.federation!.multiaddrs(), dataDir: cDir })
    expect(c.did).toBe(oldDid)
    const agent = await startAgent(c.url, remote, echo)
    closers.push(() => agent.agent.close())
    await waitUntil(
      async () => (await search(a, 'text.remote')).some((r) => r.node?.did === oldDid),
      {
        what: 'C to be found again',
      },
    )
  })
})
