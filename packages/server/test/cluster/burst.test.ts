import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import type { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echo, echoCapability } from '../helpers/agents.js'
import { natsUrl } from '../helpers/nats.js'
import { clusterSkipReason, TestCluster } from './cluster-nodes.js'

const skip = await clusterSkipReason()
const TASKS = 300
const micros = (amount: string) => BigInt(Math.round(Number(amount) * 1e6))

describe.skipIf(skip !== undefined)(
  `a burst of cross-node tasks, and one process per node id${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const cluster = new TestCluster(natsUrl)
    let client: Mesh
    let admin: Mesh

    beforeAll(async () => {
      const [n1, n2] = await cluster.startNodes(2)
      // The agent on node 1, the client on node 2: every task crosses over NATS and back.
      await cluster.agents.start(n1!.url, echoCapability('burst.echo', '0.01', 20_000), echo, {
        concurrency: 64,
      })
      client = await cluster.connect(n2!, { key: generateKeyPair() })
      admin = await cluster.connect(n1!)
      await cluster.waitToFind(client, 'burst', 1, 'node 2 to see the agent on node 1')
    }, 120_000)

    afterAll(() => cluster.stop())

    // The benchmark once started two nodes in one data directory: one node id, one JetStream
    // consumer shared by two processes, so half the attempts and answers went to the process
    // that had not sent them and those tasks waited out their deadlines (or were not final when
    // `?wait` answered). Renewals queued behind a burst's task writes let leases lapse, and the
    // other node took over tasks still running.
    it('answers every task of a burst final and completed, each paid once', async () => {
      const tasks = await Promise.all(
        Array.from({ length: TASKS }, (_, i) =>
          client.submit('burst.echo', { text: `b${i}` }, { maxPrice: '0.02', wait: 60_000 }),
        ),
      )
      expect(tasks.map((t) => t.state)).toEqual(tasks.map(() => 'completed'))
      expect(tasks.map((t) => (t.output as { text: string }).text).sort()).toEqual(
        Array.from({ length: TASKS }, (_, i) => `b${i}`).sort(),
      )
      for (const task of tasks) expect(task.settlement.state).toBe('posted')
      const account = await admin.account(`${tasks[0]!.requester}:USD`)
      expect(micros(account.pending.amount)).toBe(0n)
      expect(micros('100') - micros(account.posted.amount)).toBe(micros('0.01') * BigInt(TASKS))
    }, 120_000)

    it('refuses a second process under a running node’s id, and restarts it at once after kill -9', async () => {
      const [n1, n2] = cluster.nodes
      const data = join(cluster.home, 'node2')
      await expect(cluster.start({}, data)).rejects.toThrow(
        /Node id n[0-9a-f]+ is taken in cluster/,
      )
      // The refused process changed nothing: node 2 still carries tasks across.
      const before = await client.submit(
        'burst.echo',
        { text: 'still' },
        { maxPrice: '0.02', wait: 20_000 },
      )
      expect(before.state).toBe('completed')

      await cluster.kill(n2!)
      // A killed node holds nothing: its restart in the same directory joins at once.
      const again = await cluster.start({}, data)
      const restarted = await cluster.connect(again, { key: generateKeyPair() })
      await cluster.waitToFind(
        restarted,
        'burst',
        1,
        'the restarted node to see the agent on node 1',
      )
      const task = await restarted.submit(
        'burst.echo',
        { text: 'after' },
        { maxPrice: '0.02', wait: 20_000 },
      )
      expect(task).toMatchObject({ state: 'completed', output: { text: 'after' } })
      expect(n1!.child.exitCode).toBeNull()
    }, 120_000)
  },
)
