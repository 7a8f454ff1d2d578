import { errorCatalogue, generateKeyPair, MeshError } from '@agentmesh/protocol'
import { defineAgent, Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { echo, echoCapability } from '../helpers/agents.js'
import { startTestNode } from '../helpers/test-node.js'

describe('the agent connection', () => {
  let node: RunningNode
  let client: Mesh

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '10', currency: 'USD' } })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await client.close()
    await node.stop()
  })

  it('never has more tasks in flight than the concurrency the agent declared', async () => {
    let inFlight = 0
    let most = 0
    const releases: (() => void)[] = []
    let started!: () => void
    let startedCount = 0
    const twoStarted = new Promise<void>((resolve) => (started = resolve))
    const agent = defineAgent({
      name: 'narrow',
      description: 'Takes two at a time',
      concurrency: 2,
      capabilities: [
        {
          ...echoCapability('conn.narrow', '0.001', 10_000),
          handler: async (input: { text: string }) => {
            inFlight++
            most = Math.max(most, inFlight)
            if (++startedCount === 2) started()
            await new Promise<void>((resolve) => releases.push(resolve))
            inFlight--
            return { text: input.text }
          },
        },
      ],
    })
    await agent.connect(node.url, { key: generateKeyPair(), reconnect: false })
    try {
      const submitted = await Promise.all(
        [1, 2, 3].map((n) =>
          client.submit(
            'conn.narrow',
            { text: String(n) },
            { maxPrice: '0.01', timeoutMs: 20_000, retry: { maximumAttempts: 1 } },
          ),
        ),
      )
      await twoStarted
      // The third found the agent full: busy is retryable, and with one attempt and no other
      // provider the task fails rather than overloading the agent.
      const third = await client.submit(
        'conn.narrow',
        { text: '4' },
        { maxPrice: '0.01', retry: { maximumAttempts: 1 }, wait: 5000 },
      )
      expect(third.state).toBe('failed')
      expect(third.error?.code).toBe('PROVIDER_BUSY')
      releases.splice(0).forEach((release) => release())
      expect(most).toBe(2)
      expect(submitted).toHaveLength(3)
    } finally {
      releases.forEach((release) => release())
      await agent.close()
    }
  })

  it('reconnects by itself after the node drops it, and takes tasks again', async () => {
    let readyCount = 0
    let onSecondReady!: () => void
    const reconnected = new Promise<void>((resolve) => (onSecondReady = resolve))
    const agent = defineAgent({
      name: 'comeback',
      description: 'Comes back',
      capabilities: [{ ...echoCapability('conn.comeback'), handler: echo }],
    })
    await agent.connect(node.url, {
      key: generateKeyPair(),
      onReady: () => {
        if (++readyCount === 2) onSecondReady()
      },
    })
    try {
      node.context.connections.closeAll()
      await reconnected
      const task = await client.submit(
        'conn.comeback',
        { text: 'again' },
        { maxPrice: '0.05', wait: 5000 },
      )
      expect(task.state).toBe('completed')
    } finally {
      await agent.close()
    }
  })

  it("retries an agent's own INTERNAL as the provider's failure, PROVIDER_ERROR", async () => {
    let calls = 0
    const agent = defineAgent({
      name: 'flaky',
      description: 'Fails its first call with INTERNAL',
      capabilities: [
        {
          ...echoCapability('conn.flaky', '0.001', 10_000),
          handler: (input: { text: string }) => {
            if (++calls === 1) throw new MeshError('INTERNAL', 'Agent bug')
            return { text: input.text }
          },
        },
      ],
    })
    await agent.connect(node.url, { key: generateKeyPair(), reconnect: false })
    try {
      const task = await client.submit(
        'conn.flaky',
        { text: 'x' },
        { maxPrice: '0.01', retry: { maximumAttempts: 2, initialIntervalMs: 1 }, wait: 10_000 },
      )
      expect(task).toMatchObject({ state: 'completed', output: { text: 'x' } })
      expect(task.attempts.map((a) => a.error?.code ?? null)).toEqual(['PROVIDER_ERROR', null])
      expect(errorCatalogue.INTERNAL.retryable).toBe(false)
    } finally {
      await agent.close()
    }
  })
})
