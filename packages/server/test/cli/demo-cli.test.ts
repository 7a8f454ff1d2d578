import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import { articles } from '@agentmesh/demo'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, startCliNode } from '../helpers/cli.js'
import { get } from '../helpers/test-node.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-demo-cli-'))
const env = { AGENTMESH_HOME: home, AGENTMESH_URL: '', AGENTMESH_TOKEN: '' }
afterAll(() => rmSync(home, { recursive: true, force: true }))
const pipelineFile = fileURLToPath(
  new URL('../../../../examples/pipelines/demo.yaml', import.meta.url),
)

function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  child.kill('SIGTERM')
  return exited
}

// Each case starts node processes (a start is ~3 s of CPU-bound work on a quiet machine; while the
// suite's other workers keep both cores busy it took up to 15 s in CI). The timeout guards against
// a hang; nothing here asserts speed.
describe('agentmesh up --demo', { timeout: 60_000 }, () => {
  it('serves the demo agents to `call` and `pipeline run`, and exits 0 on SIGTERM', async () => {
    const node = await startCliNode(['--demo', '--memory', '--port', '0', '--no-dashboard'], env)
    try {
      expect(node.output()).toMatch(/demo\s+6 agents: sentiment-express, sentiment-thrifty/)
      const client = ['--url', node.url, '--token', node.token]
      const called = await runCli(
        ['call', 'units.convert', '--input', '{"value":1,"from":"km","to":"m"}', ...client],
        env,
      )
      expect(called.code).toBe(0)
      expect(JSON.parse(called.stdout)).toMatchObject({ value: 1000, text: '1 km = 1000 m' })

      const run = await runCli(
        [
          'pipeline',
          'run',
          pipelineFile,
          '--input',
          JSON.stringify({ text: articles[0] }),
          ...client,
        ],
        env,
      )
      expect(run.stderr).toMatch(/run completed, spent 0\.\d+ USD/)
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout).sentences).toHaveLength(2)
    } finally {
      // Exiting by itself (no process.exit) means the demo left no agent, socket or timer open.
      expect(await stop(node.child)).toBe(0)
    }
  })

  it('keeps its demo agents across restarts, and sends no traffic when switched off', async () => {
    const args = ['--demo', '--data', join(home, 'data'), '--port', '0', '--no-dashboard']
    // Off by the flag the first time, by the environment the second.
    const starts: [string[], NodeJS.ProcessEnv][] = [
      [[...args, '--no-demo-traffic'], env],
      [args, { ...env, AGENTMESH_DEMO_TRAFFIC: '0' }],
    ]
    const agentIds: string[][] = []
    for (const [argv, environment] of starts) {
      const node = await startCliNode(argv, environment)
      try {
        expect(node.output()).toMatch(/demo traffic off/)
        const tasks = await get(`${node.url}/v1/tasks`, node.token)
        expect(tasks.body.tasks).toEqual([])
        const page = await get(`${node.url}/v1/agents?q=&limit=100`, node.token)
        const ids = (page.body.results as { agentId: string }[]).map((r) => r.agentId)
        agentIds.push([...new Set(ids)].sort())
      } finally {
        expect(await stop(node.child)).toBe(0)
      }
    }
    expect(agentIds[0]).toHaveLength(6)
    expect(agentIds[1]).toEqual(agentIds[0])
  })
})
