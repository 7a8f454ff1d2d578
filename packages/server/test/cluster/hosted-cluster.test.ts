import { generateKeyPair, type ClusterView } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { greetCapability, greeterCode, hostedCard } from '../helpers/hosted-fixture.js'
import { natsUrl } from '../helpers/nats.js'
import { waitUntil } from '../helpers/wait-until.js'
import { clusterSkipReason, TestCluster, type ClusterNode } from './cluster-nodes.js'

const skip = await clusterSkipReason()
const CAPABILITY = 'cluster.greet'

/** How many calls the node's sandbox ran (its `agentmesh_hosted_calls_total`, outcome ok). */
async function callsRunOn(node: ClusterNode): Promise<number> {
  const response = await fetch(`${node.url}/metrics`, {
    headers: { authorization: `Bearer ${node.token}` },
  })
  const text = await response.text()
  const line = /^agentmesh_hosted_calls_total\{outcome="ok"\} (\d+)/m.exec(text)
  return line ? Number(line[1]) : 0
}

/** The nodes that are up and say they serve `agentId`, as `via` sees the cluster. */
async function servingNodes(via: ClusterNode, agentId: string): Promise<string[]> {
  const admin = await Mesh.connect(via.url, { token: via.token })
  try {
    const view: ClusterView = await admin.cluster()
    return view.nodes
      .filter((n) => n.state === 'up' && n.agents.includes(agentId))
      .map((n) => n.url)
  } finally {
    await admin.close()
  }
}

describe.skipIf(skip !== undefined)(
  `a hosted agent in a cluster of three node processes${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const cluster = new TestCluster(natsUrl)
    const owner = generateKeyPair()

    beforeAll(async () => {
      await cluster.startNodes(3)
    }, 120_000)
    afterAll(() => cluster.stop())

    /** Calls the hosted agent through `via` with a new client; answers its greeting. */
    async function call(via: ClusterNode, text: string): Promise<unknown> {
      const client = await Mesh.connect(via.url, { key: generateKeyPair() })
      try {
        const task = await client.submit(
          CAPABILITY,
          { text },
          { agentId: owner.did, maxPrice: '0.05', wait: 15_000 },
        )
        return task.output
      } finally {
        await client.close()
      }
    }

    it('runs on the node it was deployed to, called from another, and on no other node', async () => {
      const [n1, n2, n3] = cluster.nodes
      const mesh = await Mesh.connect(n1!.url, { key: owner, roles: ['agent'] })
      try {
        await mesh.hosted.create({
          code: greeterCode(CAPABILITY),
          card: hostedCard(owner, [greetCapability(CAPABILITY)]),
        })
      } finally {
        await mesh.close()
      }
      // Node 3 sees it online, served by node 1 alone (as an agent connected to node 1).
      await waitUntil(async () => (await servingNodes(n3!, owner.did)).join() === n1!.url, {
        timeoutMs: 30_000,
        what: 'node 3 to see the hosted agent on node 1',
      })
      const client = await Mesh.connect(n3!.url, { key: generateKeyPair() })
      await waitUntil(async () => (await client.agent(owner.did)).online, {
        what: 'node 3 to see it online',
      })
      await client.close()
      for (let i = 0; i < 4; i++) expect(await call(n3!, `n${i}`)).toEqual({ text: `hello n${i}` })
      expect(await callsRunOn(n1!)).toBe(4)
      expect(await callsRunOn(n2!)).toBe(0)
      expect(await callsRunOn(n3!)).toBe(0)
    }, 60_000)

    it('is taken over by another node when its node dies, then when that one drains', async () => {
      const [n1, n2, n3] = cluster.nodes
      n1!.child.kill('SIGKILL')
      // Its lease lapses (1.5 s here) and one of the two others takes it.
      let serving: string[] = []
      await waitUntil(
        async () => {
          serving = await servingNodes(n3!, owner.did)
          return serving.length === 1 && serving[0] !== n1!.url
        },
        { timeoutMs: 30_000, what: 'another node to take the hosted agent over' },
      )
      const next = cluster.nodes.find((n) => n.url === serving[0])!
      const other = next === n2 ? n3! : n2!
      await waitUntil(async () => (await servingNodes(other, owner.did)).join() === next.url, {
        timeoutMs: 30_000,
        what: 'the other node to see the take-over too',
      })
      expect(await call(other, 'again')).toEqual({ text: 'hello again' })
      expect(await callsRunOn(next)).toBe(1)
      expect(await callsRunOn(other)).toBe(0)

      // Draining (SIGTERM) hands it over at once to the last node.
      next.child.kill('SIGTERM')
      await waitUntil(async () => (await servingNodes(other, owner.did)).join() === other.url, {
        timeoutMs: 30_000,
        what: 'the last node to take the hosted agent over from the draining one',
      })
      expect(await call(other, 'last')).toEqual({ text: 'hello last' })
      expect(await callsRunOn(other)).toBe(1)
    }, 90_000)
  },
)
