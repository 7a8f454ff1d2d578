import { verifyCosignature, type CosignedTreeHead } from '@agentmesh/protocol'
import { generateKeyPair, signJws, verifyJws, type FederationView } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo, echoCapability, startAgent } from '../../server/test/helpers/agents.js'
import {
  browserSkipReason,
  DESKTOP,
  launchBrowser,
  PHONE,
  screenshot,
} from '../../server/test/helpers/browser.js'
import { runCli } from '../../server/test/helpers/cli.js'
import { get, post } from '../../server/test/helpers/test-node.js'
import { waitUntil } from '../../server/test/helpers/wait-until.js'
import { TASK_PROTOCOL } from '../src/task-messages.js'
import { startPeerNode, tempDir, type RunningNode } from './federation-fixture.js'
import { LyingPeer } from './lying-peer.js'

// One network for the file: B bootstraps, C serves, A has gossip off (the DHT alone finds for it),
// and a lying peer joins through B.
let a: RunningNode
let b: RunningNode
let c: RunningNode
const liar = new LyingPeer()
const closers: (() => Promise<unknown>)[] = []
const cDir = tempDir()
const remote = echoCapability('text.remote', '0.1', 3000)

type Hit = { agentId: string; node?: { did: string; latencyMs?: number } }
async function search(node: RunningNode, capability: string): Promise<Hit[]> {
  const url = `${node.url}/v1/agents?capability=${capability}&scope=federation`
  return (await get(url, node.adminToken)).body.results as Hit[]
}

const view = async (node: RunningNode): Promise<FederationView> =>
  (await get(`${node.url}/v1/federation`, node.adminToken)).body as FederationView
const peerIn = async (node: RunningNode, did: string) =>
  (await view(node)).peers.find((p) => p.did === did)
const client = async (node: RunningNode, key = generateKeyPair()) => {
  const mesh = await Mesh.connect(node.url, { key })
  closers.push(() => mesh.close())
  return mesh
}

beforeAll(async () => {
  b = await startPeerNode({ dashboard: true })
  const bootstrap = b.federation!.multiaddrs()
  ;[c, a] = await Promise.all([
    startPeerNode({ bootstrap, dataDir: cDir }),
    startPeerNode({
      bootstrap,
      // A's audit heads are cosigned by B, asked over libp2p.
      env: {
        AGENTMESH_P2P_GOSSIP: 'off',
        AGENTMESH_WITNESSES: b.did,
        AGENTMESH_WITNESS_INTERVAL_MS: '100',
      },
    }),
    liar.start(bootstrap, echoCapability('text.lie', '0.1', 3000)),
  ])
  const agent = await startAgent(c.url, remote, echo)
  closers.push(() => agent.agent.close())
})

afterAll(async () => {
  for (const close of closers.reverse()) await close()
  await Promise.all([a?.stop(), b?.stop(), c?.stop(), liar.stop()])
})

describe('three nodes peering on loopback', () => {
  it('finds a capability on C from B through gossip, with C as its node', async () => {
    await waitUntil(async () => (await search(b, 'text.remote')).some((r) => r.node), {
      what: 'C to be found from B',
    })
    const [hit] = await search(b, 'text.remote')
    expect(hit!.node!.did).toBe(c.did)
    // B's own registry knows nothing of it: without the scope, no result.
    const local = await get(`${b.url}/v1/agents?capability=text.remote`, b.adminToken)
    expect(local.body.results).toEqual([])
  })

  it('finds it from A, whose gossip is off, through the DHT', async () => {
    expect((await view(a)).gossip).toBe(false)
    await waitUntil(async () => (await search(a, 'text.remote')).some((r) => r.node), {
      what: 'C to be found from A through the DHT',
    })
    expect((await search(a, 'text.remote'))[0]!.node!.did).toBe(c.did)
    // Gossip never reached A: the liar's capability, gossiped only, is unknown to it.
    expect((await peerIn(a, liar.did))?.capabilities ?? 0).toBe(0)
  })

  it('runs a paid task A → C at the first attempt, with a verified receipt and clearing on both sides', async () => {
    const mesh = await client(a)
    const task = await mesh.submit(
      'text.remote',
      { text: 'over the wire' },
      {
        maxPrice: '0.5',
        wait: 10_000,
      },
    )
    expect(task.state).toBe('completed')
    expect(task.output).toEqual({ text: 'over the wire' })
    expect(task.attempts).toHaveLength(1)
    await a.audit.flush()
    const page = await a.audit.list({ did: a.did, roles: ['admin'] }, { actor: c.did })
    const receipts = page.entries.filter((e) => e.action === 'federation.receipt')
    expect(receipts).toHaveLength(1)
    const receipt = verifyJws<{ price: string; issuer: string }>(
      (receipts[0]!.details as { receipt: string }).receipt,
      c.did,
    )
    expect(receipt.payload).toMatchObject({ price: '0.1', issuer: c.did })
    const fromA = (await peerIn(a, c.did))!
    expect(fromA.clearing).toEqual({ currency: 'USD', net: '0.1', creditLimit: '1' })
    expect((await peerIn(c, a.did))!.clearing).toEqual({
      currency: 'USD',
      net: '-0.1',
      creditLimit: '1',
    })
    expect(fromA.reputation).toMatchObject({
      tasks: 1,
      failures: 0,
      badReceipts: 0,
      demoted: false,
    })
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
    const mesh = await client(a)
    const agent = await startAgent(c.url, echoCapability('text.pricey', '2', 3000), echo)
    closers.push(() => agent.agent.close())
    await waitUntil(async () => (await search(a, 'text.pricey')).length > 0)
    const error = await mesh
      .call('text.pricey', { text: 'x' }, { maxPrice: '3' })
      .catch((e: unknown) => e as { code: string })
    expect(error).toMatchObject({ code: 'FEDERATION_CREDIT_LIMIT' })
    expect((await peerIn(a, c.did))!.clearing.net).toBe('0.1')
  })
})

describe('the CLI', () => {
  const on = (node: RunningNode) => ({ AGENTMESH_URL: node.url, AGENTMESH_TOKEN: node.adminToken })

  it('lists peers, draws up a statement and searches the federation', async () => {
    const [table, statement, search, bad, unknown] = await Promise.all([
      runCli(['federation', 'peers'], on(a)),
      runCli(['federation', 'statement', c.did, '--json'], on(a)),
      runCli(['agents', 'search', 'text.remote', '--scope', 'federation', '--json'], on(a)),
      runCli(['federation', 'statement', 'nobody'], on(a)),
      runCli(['federation', 'statement', generateKeyPair().did], on(a)),
    ])
    expect(table.code).toBe(0)
    expect(table.stdout.split('\n').find((l) => l.startsWith(c.did))).toMatch(/yes .* 0\.1 USD$/)
    expect(statement.code).toBe(0)
    const signed = JSON.parse(statement.stdout) as {
      statement: { net: string }
      signatures: { to: string }
    }
    expect(verifyJws(signed.signatures.to, c.did).payload).toEqual(signed.statement)
    expect(search.code).toBe(0)
    expect(JSON.parse(search.stdout).results[0].node.did).toBe(c.did)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('is not a did:key')
    expect(unknown.code).toBe(1)
  })
})

describe('bad input from a peer is refused and nothing is written', () => {
  const cAddr = () => c.federation!.multiaddrs()[0]!
  const taskMessage = (id: string) => {
    const now = Date.now()
    const message = {
      v: 1,
      id,
      taskId: id,
      from: liar.did,
      to: c.did,
      capabilityId: 'text.remote',
      input: { text: 'once' },
      maxPrice: '0.1',
      currency: 'USD',
      deadlineAtMs: now + 3000,
      sentAtMs: now,
    }
    return signJws(message, liar.key)
  }

  it('a forged announcement', async () => {
    await waitUntil(async () => (await search(b, 'text.lie')).length > 0, {
      what: "the liar's own announcement to reach B",
    })
    const agentKey = generateKeyPair()
    const card = signJws(
      {
        did: agentKey.did,
        name: 'forged',
        description: 'Forged',
        version: 1,
        capabilities: [echoCapability('text.forged')],
      },
      agentKey,
    )
    // The liar's node DID, signed with another key.
    await liar.publish(liar.announcement([card], generateKeyPair()))
    await waitUntil(
      async () => (await view(b)).refusals!.some((r) => r.code === 'SIGNATURE_INVALID'),
      {
        what: 'B to refuse the forged announcement',
      },
    )
    expect(await search(b, 'text.forged')).toEqual([])
  })

  it('a replayed task message', async () => {
    const jws = taskMessage(`replay-${Date.now()}`)
    const first = (await liar.request(cAddr(), TASK_PROTOCOL, jws)) as { output: unknown }
    expect(first.output).toEqual({ text: 'once' })
    const owed = (await peerIn(c, liar.did))!.clearing.net
    expect(owed).toBe('-0.1')
    await expect(liar.request(cAddr(), TASK_PROTOCOL, jws)).rejects.toMatchObject({
      code: 'FEDERATION_REPLAY',
    })
    expect((await peerIn(c, liar.did))!.clearing.net).toBe(owed)
    expect((await view(c)).refusals![0]).toMatchObject({
      peer: liar.did,
      code: 'FEDERATION_REPLAY',
    })
  })

  it('an oversized stream message', async () => {
    const before = (await peerIn(c, liar.did))!.clearing.net
    const huge = 'x'.repeat(1024 * 1024 + 1)
    await expect(liar.request(cAddr(), TASK_PROTOCOL, huge)).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    })
    expect((await peerIn(c, liar.did))!.clearing.net).toBe(before)
  })
})

describe('a lying peer', () => {
  it('is demoted for an output failing the schema, disconnected past the threshold for bad receipts', async () => {
    const key = generateKeyPair()
    const mesh = await client(b, key)
    const account = `${key.did}:USD`
    const balance = (await mesh.account(account)).available
    const call = () =>
      mesh.call('text.lie', { text: 'tell me' }, { maxPrice: '0.5' }).catch((e: unknown) => e)
    liar.lie = 'schema'
    expect(await call()).toMatchObject({ code: 'INVALID_OUTPUT' })
    expect((await peerIn(b, liar.did))!.reputation).toMatchObject({
      schemaFailures: 1,
      demoted: true,
      disconnected: false,
    })
    // A receipt signed by another key than the peer's: refused, retried, and the peer cut off.
    liar.lie = 'wrong-key'
    await call()
    const after = (await peerIn(b, liar.did))!
    expect(after.reputation.badReceipts).toBeGreaterThanOrEqual(1)
    expect(after.reputation.disconnected).toBe(true)
    expect(after.connected).toBe(false)
    expect(after.clearing.net).toBe('0')
    expect(await search(b, 'text.lie')).toEqual([])
    expect((await mesh.account(account)).available).toEqual(balance)
    await b.audit.flush()
    const page = await b.audit.list({ did: b.did, roles: ['admin'] }, { actor: liar.did })
    expect(page.entries.filter((e) => e.action === 'federation.receipt')).toEqual([])
  })
})

describe('witnesses over libp2p', () => {
  it("has A's tree heads cosigned by B (AGENTMESH_WITNESSES names B's DID)", async () => {
    let cosigned: CosignedTreeHead | undefined
    await waitUntil(
      async () => {
        const head = (await get(`${a.url}/v1/audit/head`, a.adminToken)).body as CosignedTreeHead
        if (head.cosignatures.some((c) => c.witness === b.did)) cosigned = head
        return cosigned !== undefined
      },
      { what: "a cosignature of B on A's audit head" },
    )
    if (!cosigned) throw new Error('unreachable')
    const mine = cosigned.cosignatures.find((c) => c.witness === b.did)!
    expect(() => verifyCosignature(mine, cosigned)).not.toThrow()
    await b.audit.flush()
    const page = await b.audit.list({ did: b.did, roles: ['admin'] }, { actor: a.did })
    expect(page.entries.some((e) => e.action === 'witness.cosign' && e.result === 'ok')).toBe(true)
  })

  it('refuses a malformed, a foreign or an oversized request on the witness stream', async () => {
    await expect(a.federation!.requestWitness(b.did, { head: 7 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
    // C asks B to cosign A's head: only the head's signer may ask.
    const head = (await get(`${a.url}/v1/audit/head`, a.adminToken)).body as CosignedTreeHead
    const { cosignatures: _, ...plain } = head
    await expect(
      c.federation!.requestWitness(b.did, { head: plain, oldSize: 0, proof: [] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(
      a.federation!.requestWitness(b.federation!.peerId, 'x'.repeat(300 * 1024)),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
  })
})

const skip = browserSkipReason()
describe.skipIf(skip !== undefined)(`the dashboard in chromium${skip ? ` (${skip})` : ''}`, () => {
  // Chromium starts in the hook (with the hook's time), as in the other browser tests.
  let browser: Awaited<ReturnType<typeof launchBrowser>>
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(() => browser?.close())

  it('shows a Federation page, in the nav of a federating node, that fits a phone', async () => {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage())
    await page.setViewportSize(PHONE)
    await page.goto(b.url)
    await page.locator('textarea[name=token], input[name=token]').fill(b.adminToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Federation' }).click()
    await page.getByRole('heading', { name: 'Federation' }).waitFor()
    const cRow = page.locator(`tr[data-peer="${c.did}"]`)
    await cRow.waitFor()
    expect(await cRow.locator('td').nth(2).textContent()).toBe('yes')
    const liarRow = page.locator(`tr[data-peer="${liar.did}"]`)
    expect(await liarRow.textContent()).toContain('disconnected')
    // The page never scrolls sideways on a phone: the table scrolls inside its own box.
    const width = await page.evaluate<number>('document.documentElement.scrollWidth')
    expect(width).toBeLessThanOrEqual(PHONE.width)
    await screenshot(page, 'federation-phone')
  })

  it('marks a remote provider on the search page with its node, only when asked for other nodes', async () => {
    const page = browser.context.pages()[0]!
    await page.setViewportSize(DESKTOP)
    await page.getByRole('link', { name: 'Agents', exact: true }).click()
    await page.locator('input[name=capability]').fill('text.remote')
    await page.getByRole('button', { name: 'Search' }).click()
    // An empty list has no size: wait for it in the page, not for it to show.
    await page
      .locator('ul.results[aria-busy=false][data-query*="capability=text.remote"]')
      .waitFor({ state: 'attached' })
    // B's own registry has no such capability: no result without the federation.
    expect(await page.locator('.result').count()).toBe(0)
    await page.getByLabel('Other nodes (federation)').check()
    await page.getByRole('button', { name: 'Search' }).click()
    await page.locator('ul.results[aria-busy=false][data-query*="scope=federation"]').waitFor()
    const remote = page.locator('.result[data-remote=true]', { hasText: 'text.remote' })
    await remote.waitFor()
    expect(await remote.locator('.remote-node').getAttribute('data-node')).toBe(c.did)
    expect(await remote.locator('.remote-node').textContent()).toMatch(/^remote · node did:key:/)
    await screenshot(page, 'search-federation-desktop')
  })
})

describe('a node stopped and restarted', () => {
  it('has its announcements expire, then come back', async () => {
    const oldDid = c.did
    await c.stop()
    await waitUntil(async () => !(await search(b, 'text.remote')).some((r) => r.node), {
      what: "C's announcements to expire on B",
    })
    c = await startPeerNode({ bootstrap: b.federation!.multiaddrs(), dataDir: cDir })
    expect(c.did).toBe(oldDid)
    const agent = await startAgent(c.url, remote, echo)
    closers.push(() => agent.agent.close())
    await waitUntil(
      async () => (await search(b, 'text.remote')).some((r) => r.node?.did === oldDid),
      {
        what: 'C to be found again',
      },
    )
  })
})
