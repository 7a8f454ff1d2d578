import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, type KeyPair } from '@agentmesh/protocol'
import { defineAgent, Mesh, type Agent } from '@agentmesh/sdk'
import { afterAll, describe, expect, it } from 'vitest'
import { echoCapability } from '../helpers/agents.js'
import { runCli, startCliNode } from '../helpers/cli.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-kill-'))
const env = {
  AGENTMESH_HOME: home,
  AGENTMESH_URL: '',
  AGENTMESH_TOKEN: '',
  AGENTMESH_GRANT: '100 USD',
}
const flags = ['--port', '0', '--no-dashboard', '--log-level', 'error']
afterAll(() => rmSync(home, { recursive: true, force: true }))

async function echoAgent(url: string, key: KeyPair): Promise<Agent> {
  const agent = defineAgent({
    name: 'kill-echo',
    description: 'Echoes after a little work',
    concurrency: 32,
    capabilities: [
      {
        ...echoCapability('kill.echo', '0.01', 10_000),
        handler: async (input: { text: string }) => {
          await new Promise((resolve) => setTimeout(resolve, 20))
          return { text: input.text }
        },
      },
    ],
  })
  await agent.connect(url, { key, reconnect: false })
  return agent
}

function submit(url: string, token: string, i: number, wait?: number) {
  return fetch(`${url}/v1/tasks${wait ? `?wait=${wait}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      capability: 'kill.echo',
      input: { text: `task ${i}` },
      maxPrice: { amount: '0.05', currency: 'USD' },
      idempotencyKey: `kill-${i}`,
    }),
  })
}

describe('kill -9 of the node under load', () => {
  it('after a restart, every acknowledged task exists exactly once, completes once its provider is back, settles once, and the ledger and audit log verify', async () => {
    const data = join(home, 'node')
    const agentKey = generateKeyPair()
    const clientKey = generateKeyPair()
    const first = await startCliNode(['--data', data, ...flags], env)
    const firstAgent = await echoAgent(first.url, agentKey)
    const client = await Mesh.connect(first.url, { key: clientKey, requestTimeoutMs: 5000 })
    const token = client.token

    const acknowledged = new Map<number, string>()
    let killed = false
    const workers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < 400 && !killed; i += 8) {
        const response = await submit(first.url, token, i).catch(() => undefined)
        if (response?.status === 202)
          acknowledged.set(i, ((await response.json()) as { id: string }).id)
        if (!killed && acknowledged.size >= 60) {
          killed = true
          first.child.kill('SIGKILL')
        }
      }
    })
    await Promise.all(workers)
    expect(killed).toBe(true)
    await new Promise((resolve) =>
      first.child.exitCode === null && first.child.signalCode === null
        ? first.child.once('exit', resolve)
        : resolve(null),
    )
    await firstAgent.close()
    await client.close()

    const second = await startCliNode(['--data', data, ...flags], env)
    const agent = await echoAgent(second.url, agentKey)
    try {
      for (const [i, id] of acknowledged) {
        // The same request again is the same task, never a second one; wait for it to finish.
        const again = await submit(second.url, token, i, 15_000)
        const task = (await again.json()) as {
          id: string
          state: string
          settlement?: { state: string }
        }
        expect(task.id, `task ${i}`).toBe(id)
        // Its provider reconnects to the restarted node, within every task's deadline.
        expect(task.state, `task ${i}`).toBe('completed')
        expect(task.settlement?.state).toBe('posted')
      }
      const ledger = await runCli(
        ['ledger', 'verify', '--url', second.url, '--token', second.token],
        env,
      )
      expect(ledger, ledger.stderr).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^ledger ok/),
      })
      const audit = await runCli(
        ['audit', 'verify', '--url', second.url, '--token', second.token],
        env,
      )
      expect(audit, audit.stderr).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^Audit log verified/),
      })
    } finally {
      await agent.close()
      second.child.kill('SIGTERM')
    }
  }, 120_000)
})
