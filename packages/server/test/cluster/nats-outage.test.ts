import { generateKeyPair } from '@agentmesh/protocol'
import type { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echoCapability } from '../helpers/agents.js'
import { postgresSkipReason } from '../helpers/postgres.js'
import {
  privateNatsSkipReason,
  startPrivateNats,
  type PrivateNats,
} from '../helpers/private-nats.js'
import { waitUntil } from '../helpers/wait-until.js'
import { TestCluster } from './cluster-nodes.js'

const skip = (await postgresSkipReason()) ?? privateNatsSkipReason()

describe.skipIf(skip !== undefined)(
  `a cluster whose NATS stops and starts again${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let nats: PrivateNats
    let cluster: TestCluster
    let client: Mesh
    const held = new Map<string, () => void>()

    beforeAll(async () => {
      nats = await startPrivateNats()
      cluster = new TestCluster(nats.url)
      const [withAgent, withClient] = await cluster.startNodes(2)
      await cluster.agents.start(
        withAgent!.url,
        echoCapability('outage.echo', '0.01', 30_000),
        (input) => new Promise((resolve) => held.set(input.text, () => resolve(input))),
      )
      client = await cluster.connect(withClient!, { key: generateKeyPair() })
      await cluster.waitToFind(client, 'outage', 1, 'the client’s node to see the agent')
    }, 60_000)

    afterAll(async () => {
      await cluster?.stop()
      await nats?.destroy()
    })

    const ready = async (url: string) => (await fetch(`${url}/readyz`)).status

    it('answers 503 at /readyz while NATS is down, 200 once it is back, and loses no task', async () => {
      for (const node of cluster.nodes) expect(await ready(node.url)).toBe(200)
      // Acknowledged before the outage, across nodes, with the agent at work on it.
      const task = await client.submit(
        'outage.echo',
        { text: 'kept' },
        {
          maxPrice: '0.02',
          timeoutMs: 60_000,
        },
      )
      await waitUntil(() => held.has('kept'), { what: 'the agent to get the task' })

      await nats.stop()
      for (const node of cluster.nodes)
        await waitUntil(async () => (await ready(node.url)) === 503, {
          what: `${node.url} to report NATS down`,
        })
      // The agent answers during the outage: the answer waits for NATS to come back.
      held.get('kept')!()

      await nats.start()
      for (const node of cluster.nodes)
        await waitUntil(async () => (await ready(node.url)) === 200, {
          what: `${node.url} to report NATS back`,
        })
      await waitUntil(async () => (await client.task(task.id)).state === 'completed', {
        timeoutMs: 20_000,
        what: 'the task acknowledged before the outage to complete',
      })
      const done = await client.task(task.id)
      expect(done.output).toEqual({ text: 'kept' })
      expect(done.settlement.state).toBe('posted')
    }, 60_000)
  },
)
