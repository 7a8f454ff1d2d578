import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest, echoCapability } from '../helpers/agents.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode } from '../helpers/test-node.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-pipeline-cli-'))
const env = { AGENTMESH_HOME: home, AGENTMESH_URL: '', AGENTMESH_TOKEN: '' }

describe('agentmesh pipeline run', () => {
  let node: RunningNode
  let client: Mesh
  const agents = agentsOfTest()

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await agents.closeAll()
    await client?.close()
    await node?.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it('prints the steps that finished before its stream opened', async () => {
    // `gone` fails while the run starts (no agent offers it), long before the CLI follows the
    // run; `gate` then runs until the test lets it answer.
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let called!: () => void
    const gateCalled = new Promise<void>((resolve) => (called = resolve))
    await agents.start(node.url, echoCapability('cli.p.gate', '0.01', 20_000), async (input) => {
      called()
      await released
      return { text: input.text }
    })
    const file = join(home, 'run.json')
    writeFileSync(
      file,
      JSON.stringify({
        budget: { amount: '1', currency: 'USD' },
        steps: [
          { id: 'gone', capability: 'cli.p.gone', onFailure: 'continue', input: {} },
          { id: 'gate', capability: 'cli.p.gate', needs: ['gone'], input: { text: 'done' } },
        ],
      }),
    )
    const cli = runCli(['pipeline', 'run', file, '--url', node.url, '--token', client.token], env)
    await gateCalled
    release()
    const result = await cli
    expect(result.code).toBe(0)
    const lines = result.stderr.trim().split('\n')
    expect(lines[0]).toMatch(/^run run_\S+: 2 steps$/)
    expect(lines.filter((l) => /^\s+✖ gone\s+failed\s+No agent offers/.test(l))).toHaveLength(1)
    expect(lines.filter((l) => /^\s+✔ gate\s+completed$/.test(l))).toHaveLength(1)
    // Each move once, in order: gone failed before gate ran.
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l))
    expect(at(/✖ gone/)).toBeLessThan(at(/✔ gate/))
    expect(lines.at(-1)).toBe('run completed, spent 0.01 USD')
    expect(JSON.parse(result.stdout)).toEqual({ text: 'done' })
  })
})
