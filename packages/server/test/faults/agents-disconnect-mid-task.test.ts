import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh, type TaskView } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { echo, echoCapability, startAgent } from '../helpers/agents.js'
import { startTestNode } from '../helpers/test-node.js'

describe('agents disconnecting in the middle of tasks', () => {
  let node: RunningNode
  let client: Mesh

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await client.close()
    await node.stop()
  })

  it('fails every in-flight task over or ends it unpaid, settles each once, and the ledger verifies', async () => {
    // A healthy provider at twice the price ranks after two cheaper ones that take tasks and
    // never answer; those drop off once they hold tasks, which then fail over.
    const healthy = await startAgent(node.url, echoCapability('fault.drop', '0.02', 5_000), echo, {
      concurrency: 8,
    })
    let busy = () => {}
    const holding = new Promise<void>((resolve) => (busy = resolve))
    const droppers = await Promise.all(
      [0, 1].map(() =>
        startAgent(node.url, echoCapability('fault.drop', '0.01', 5_000), () => {
          busy()
          return new Promise(() => {})
        }),
      ),
    )
    const tasks = Array.from({ length: 6 }, (_, i) =>
      client.submit(
        'fault.drop',
        { text: `t${i}` },
        {
          maxPrice: '0.05',
          retry: { initialIntervalMs: 10, maximumIntervalMs: 20, maximumAttempts: 3 },
          wait: 15_000,
        },
      ),
    )
    await holding
    await Promise.all(droppers.map((d) => d.agent.close()))
    const finished: TaskView[] = await Promise.all(tasks)
    for (const task of finished) {
      expect(['completed', 'failed']).toContain(task.state)
      if (task.state === 'completed') {
        expect(task.providerId).toBe(healthy.key.did)
        expect(task.settlement).toMatchObject({ state: 'posted', payee: healthy.key.did })
      } else {
        expect(task.settlement?.state).toBe('voided')
      }
    }
    // At least one task was held by a dropper when it vanished, and still completed elsewhere.
    const droppedIds = new Set(droppers.map((d) => d.key.did))
    expect(
      finished.some(
        (t) => t.state === 'completed' && t.attempts.some((a) => droppedIds.has(a.agentId)),
      ),
    ).toBe(true)
    const admin = await Mesh.connect(node.url, { token: node.adminToken })
    for (const dropper of droppers) {
      const account = await admin.account(`${dropper.key.did}:USD`)
      expect(account.available.amount).toBe('100')
    }
    expect(await admin.verifyLedger()).toMatchObject({ ok: true, problems: [] })
    await admin.close()
    await healthy.agent.close()
  }, 30_000)
})
