import { generateKeyPair, type ClusterView } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentCard, capability } from '../helpers/agent-cards.js'
import { echo, echoCapability } from '../helpers/agents.js'
import { natsUrl } from '../helpers/nats.js'
import { waitUntil } from '../helpers/wait-until.js'
import { clusterSkipReason, TestCluster } from './cluster-nodes.js'

const skip = await clusterSkipReason()

describe.skipIf(skip !== undefined)(
  `a cluster of three node processes${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const cluster = new TestCluster(natsUrl)
    let client: Mesh
    let admin: Mesh
    const seen: string[] = []
    let released: () => void = () => {}
    const aborted: string[] = []
    const contexts = new Map<string, { progress(p: number, m?: string): void }>()

    beforeAll(async () => {
      const [n1, , n3] = await cluster.startNodes(3)
      // Agents on node 1, clients on node 3.
      await cluster.agents.start(n1!.url, echoCapability('cluster.echo', '0.01', 5000), echo)
      await cluster.agents.start(
        n1!.url,
        echoCapability('cluster.slow', '0.01', 20_000),
        (input, ctx) =>
          new Promise((resolve, reject) => {
            seen.push(input.text)
            contexts.set(input.text, ctx)
            released = () => resolve({ text: input.text })
            ctx.signal.addEventListener('abort', () => {
              aborted.push(input.text)
              reject(new Error('aborted'))
            })
          }),
      )
      client = await cluster.connect(n3!, { key: generateKeyPair() })
      admin = await cluster.connect(n3!)
      // Node 3 sees the agents of node 1 online.
      await cluster.waitToFind(client, '', 2, 'node 3 to see node 1’s agents')
    }, 120_000)

    afterAll(() => cluster.stop())

    it('lists every node, its agents and leases at GET /v1/cluster', async () => {
      let last: ClusterView | undefined
      // A node announces its agents when they connect: the view catches up within a bus round.
      await waitUntil(
        async () =>
          (last = await admin.cluster()).nodes.filter((n) => n.state === 'up').length === 3 &&
          last.nodes.flatMap((n) => n.agents).length === 2,
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}: ${JSON.stringify(last)}`)
      })
      const view: ClusterView = await admin.cluster()
      expect(view.nodes.map((n) => n.url).sort()).toEqual(cluster.nodes.map((n) => n.url).sort())
      expect(view.nodes.flatMap((n) => n.agents)).toHaveLength(2)
      expect(view.recommendation).toMatch(/^(scale_out|scale_in|steady)$/)
      // From its second heartbeat on, the node forecasts the load (Holt's linear trend).
      await waitUntil(async () => (last = await admin.cluster()).forecast !== undefined, {
        what: 'a load forecast',
      })
      expect(last!.forecast).toMatchObject({ horizonMs: 120_000 })
      expect(last!.forecast!.load).toBeGreaterThanOrEqual(0)
      await expect(client.cluster()).rejects.toMatchObject({ code: 'FORBIDDEN' })
    })

    it('runs a paid task submitted on node 3 on an agent connected to node 1', async () => {
      const task = await client.submit(
        'cluster.echo',
        { text: 'across' },
        {
          maxPrice: '0.05',
          wait: 10_000,
        },
      )
      expect(task).toMatchObject({ state: 'completed', output: { text: 'across' } })
      expect(task.settlement).toMatchObject({ state: 'posted' })
    })

    it('carries progress and a cancel across nodes', async () => {
      const task = await client.submit('cluster.slow', { text: 'to cancel' }, { maxPrice: '0.05' })
      await waitUntil(() => contexts.has('to cancel'), { what: 'the agent to get the task' }).catch(
        async (error: unknown) => {
          throw new Error(
            `${(error as Error).message}: ${JSON.stringify(await client.task(task.id))}`,
          )
        },
      )
      let progressed = false
      // The stream answers the task's history first: once a state arrives, it is following.
      for await (const event of client.taskEvents(task.id)) {
        const data = event.data as { type?: string; message?: string }
        if (data.type === 'state') contexts.get('to cancel')!.progress(0.5, 'half way')
        if (data.type === 'progress' && data.message === 'half way') {
          progressed = true
          break
        }
      }
      expect(progressed).toBe(true)
      const canceled = await client.cancel(task.id)
      expect(canceled.state).toBe('canceled')
      await waitUntil(() => aborted.includes('to cancel'), { what: 'the agent to see the cancel' })
    })

    it('lets a client on node 3 follow a task owned by node 2', async () => {
      const [, n2] = cluster.nodes
      const other = await Mesh.connect(n2!.url, { key: generateKeyPair() })
      try {
        const task = await other.submit('cluster.slow', { text: 'followed' }, { maxPrice: '0.05' })
        const follower = await Mesh.connect(cluster.nodes[2]!.url, {
          token: cluster.nodes[2]!.token,
        })
        const states: string[] = []
        try {
          await waitUntil(() => seen.includes('followed'), { what: 'the agent to get the task' })
          const following = (async () => {
            for await (const event of follower.taskEvents(task.id)) {
              const state = (event.data as { state?: string }).state
              if (state) states.push(state)
              if (state === 'completed') return
            }
          })()
          released()
          await following
          expect(states).toContain('completed')
        } finally {
          await follower.close()
        }
      } finally {
        await other.close()
      }
    })

    // How soon is cluster-caches.test.ts's part: there a 10-minute cache leaves only the bus
    // message to carry the revocation. Here, with the default cache, every node refuses it.
    it('refuses a token revoked on node 1 on every node', async () => {
      const key = generateKeyPair()
      const session = await Mesh.connect(cluster.nodes[0]!.url, { key })
      const token = session.token
      const ask = (url: string) =>
        fetch(`${url}/v1/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })
      for (const node of cluster.nodes) expect((await ask(node.url)).status).toBe(200)
      const revoke = await fetch(`${cluster.nodes[0]!.url}/v1/auth/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(revoke.status).toBeLessThan(300)
      await Promise.all(
        cluster.nodes.map((node) =>
          waitUntil(async () => (await ask(node.url)).status === 401, {
            everyMs: 20,
            what: `node ${node.url} to refuse the revoked token`,
          }),
        ),
      )
    })

    it('finds on node 3, by meaning, a capability registered on node 1', async () => {
      // Node 3's meaning index follows the registry.changed events node 1 publishes on NATS.
      const key = generateKeyPair()
      const agent = await Mesh.connect(cluster.nodes[0]!.url, { key, roles: ['agent'] })
      try {
        const sentiment = capability({
          id: 'cluster.sentiment',
          description: 'Scores the sentiment of a text as positive, negative or neutral',
        })
        await agent.registerAgent(
          agentCard(key, { name: 'cluster-mood', capabilities: [sentiment] }),
          key,
        )
        await waitUntil(
          async () =>
            (await client.search('how happy is this review', { limit: 5 })).results.some(
              (r) => r.capabilityId === 'cluster.sentiment',
            ),
          { what: 'node 3 to find the capability node 1 registered' },
        )
      } finally {
        await agent.close()
      }
    })
  },
)
