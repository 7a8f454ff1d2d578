import { generateKeyPair, type TaskView } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echoCapability } from '../helpers/agents.js'
import { runCli } from '../helpers/cli.js'
import { natsUrl } from '../helpers/nats.js'
import { waitUntil } from '../helpers/wait-until.js'
import { clusterSkipReason, TestCluster } from './cluster-nodes.js'

const skip = await clusterSkipReason()
const TASKS = 200
const IN_FLIGHT = 24
const final = new Set(['completed', 'failed', 'timed_out', 'canceled', 'disputed'])
const micros = (amount: string) => BigInt(Math.round(Number(amount) * 1e6))

describe.skipIf(skip !== undefined)(
  `kill -9 of the node that owns a burst of paid tasks${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    // A short lease, so that the take-over comes soon after the kill.
    const cluster = new TestCluster(natsUrl, { AGENTMESH_LEASE_MS: '2000' })
    let client: Mesh
    let admin: Mesh

    beforeAll(async () => {
      const [survivor, owner] = await cluster.startNodes(2)
      // The agent is on the node that survives; the tasks are submitted to (owned by) the other.
      await cluster.agents.start(
        survivor!.url,
        echoCapability('burst.echo', '0.01', 10_000),
        async (input) => {
          await new Promise((resolve) => setImmediate(resolve))
          return { text: input.text }
        },
        { concurrency: 64 },
      )
      client = await cluster.connect(owner!, { key: generateKeyPair() })
      admin = await cluster.connect(survivor!)
      await cluster.waitToFind(client, 'burst', 1, 'the owner to see the agent')
    }, 60_000)

    afterAll(() => cluster.stop())

    it('finishes every acknowledged task once, on the surviving node', async () => {
      const [survivor, owner] = cluster.nodes
      const acknowledged: string[] = []
      let next = 0
      let killedAtMs = 0
      const submitter = async () => {
        while (next < TASKS) {
          const n = next++
          const task = await client
            .submit('burst.echo', { text: `t${n}` }, { maxPrice: '0.02', timeoutMs: 60_000 })
            .catch(() => undefined)
          if (task) acknowledged.push(task.id)
          // The moment the last task is acknowledged, with the burst's tail in flight: it dies.
          if (acknowledged.length === TASKS) {
            killedAtMs = Date.now()
            owner!.child.kill('SIGKILL')
          }
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, submitter))
      expect(acknowledged).toHaveLength(TASKS)
      if (owner!.child.signalCode === null)
        await new Promise((resolve) => owner!.child.once('exit', resolve))
      // Writes the owner sent before it died may still land: a task counts as taken over once
      // an attempt of it started after the owner was gone.
      const goneAtMs = Date.now()

      // Read every acknowledged task through the surviving node until all are final.
      const reader = await Mesh.connect(survivor!.url, { token: survivor!.token })
      const tasks = new Map<string, TaskView>()
      let firstTakenOverMs: number | undefined
      try {
        await waitUntil(
          async () => {
            const pending = acknowledged.filter((id) => !final.has(tasks.get(id)?.state ?? ''))
            for (const view of await Promise.all(pending.map((id) => reader.task(id)))) {
              tasks.set(view.id, view)
              const finishedAtMs = Date.parse(view.updatedAt)
              const resumed = view.attempts.some((a) => Date.parse(a.startedAt) > goneAtMs)
              if (final.has(view.state) && resumed)
                firstTakenOverMs = Math.min(firstTakenOverMs ?? Infinity, finishedAtMs)
            }
            return acknowledged.every((id) => final.has(tasks.get(id)!.state))
          },
          { timeoutMs: 30_000, everyMs: 100, what: 'every acknowledged task to be final' },
        )
      } finally {
        await reader.close()
      }
      const unfinishedAtKill = [...tasks.values()].filter((t) =>
        t.attempts.some((a) => Date.parse(a.startedAt) > goneAtMs),
      ).length
      const tookMs = firstTakenOverMs === undefined ? '-' : firstTakenOverMs - killedAtMs
      process.stdout.write(
        `take-over: ${acknowledged.length} acknowledged, ${unfinishedAtKill} taken over after the ` +
          `kill, the first ${tookMs} ms after kill -9 (lease 2000 ms)\n`,
      )
      expect(unfinishedAtKill).toBeGreaterThan(0)
      // Every acknowledged task completed (the agent never fails), and was paid once.
      expect([...tasks.values()].map((t) => t.state)).toEqual(acknowledged.map(() => 'completed'))
      for (const task of tasks.values()) expect(task.settlement.state).toBe('posted')

      // The requester paid exactly what its tasks say they cost, once each; nothing is held.
      const paid = [...tasks.values()].reduce(
        (sum, t) => sum + micros(t.settlement.paid.amount),
        0n,
      )
      const account = await admin.account(`${tasks.get(acknowledged[0]!)!.requester}:USD`)
      expect(micros(account.pending.amount)).toBe(0n)
      expect(micros('100') - micros(account.posted.amount)).toBe(paid)
      expect(paid).toBe(micros('0.01') * BigInt(TASKS))

      const ledger = await admin.verifyLedger()
      expect(ledger.problems).toEqual([])
      expect(ledger.ok).toBe(true)
      const audit = await runCli(['audit', 'verify', '--url', survivor!.url], {
        AGENTMESH_TOKEN: survivor!.token,
        AGENTMESH_HOME: cluster.home,
      })
      expect(audit.stderr + audit.stdout).not.toMatch(/fail|broken|mismatch/i)
      expect(audit.code).toBe(0)
    }, 60_000)
  },
)
