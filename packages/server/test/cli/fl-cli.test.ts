import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, verifyCertificate, type FlJobView } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { runCli } from '../helpers/cli.js'
import { digitsJob, startFlFleet, type FlFleet } from '../helpers/fl-fleet.js'
import { startTestNode } from '../helpers/test-node.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-fl-cli-'))
const env = { AGENTMESH_HOME: home, AGENTMESH_URL: '', AGENTMESH_TOKEN: '' }

// The CLI is a child process (its start is CPU-bound under a loaded CI): the timeout guards
// against a hang; nothing here asserts speed.
describe('agentmesh fl run', { timeout: 60_000 }, () => {
  let node: RunningNode
  let fleet: FlFleet
  let client: Mesh

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    fleet = await startFlFleet(node.url, node.adminToken, { trainers: 5, validators: 4 })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await client?.close()
    await fleet?.close()
    await node?.stop()
    rmSync(home, { recursive: true, force: true })
  })

  const write = (name: string, content: string) => {
    const file = join(home, name)
    writeFileSync(file, content)
    return file
  }
  const run = (file: string) =>
    runCli(['fl', 'run', file, '--url', node.url, '--token', client.token], env)

  it('follows a job round by round on stderr and prints the ended job on stdout', async () => {
    const result = await run(write('job.json', JSON.stringify(digitsJob({ rounds: 2 }))))
    expect(result.code).toBe(0)
    const lines = result.stderr.trim().split('\n')
    expect(lines[0]).toMatch(/^job fljob_\S+: 2 rounds, 4 validators \(f=1\), 1 USD escrowed$/)
    expect(lines[1]).toMatch(/^ {2}round {3}1 {2}approved {2}accuracy +\d+\.\d% {2}accepted 5\/5$/)
    expect(lines[2]).toMatch(/^ {2}round {3}2 {2}approved/)
    expect(lines[3]).toMatch(/^job completed: model of round 2 \(\w{16}…\), paid 1 USD$/)
    const job = JSON.parse(result.stdout) as FlJobView
    expect(job).toMatchObject({ state: 'completed', currentModel: { round: 2 } })
    expect(verifyCertificate(job.rounds[1]!.certificate).ok).toBe(true)
  })

  it('exits 1 with the reason when no round is approved, and 2 for a file that is no JSON', async () => {
    const strict = digitsJob({ rounds: 1, acceptance: { minAccuracy: 0.99 } })
    const rejected = await run(write('strict.json', JSON.stringify(strict)))
    expect(rejected.code).toBe(1)
    expect(rejected.stderr).toMatch(/round {3}1 {2}rejected/)
    expect(rejected.stderr.trim().split('\n').at(-1)).toMatch(
      /^agentmesh: Job fljob_\S+ failed: No round of the job was approved$/,
    )
    expect(JSON.parse(rejected.stdout)).toMatchObject({ state: 'failed' })

    const refused = await run(write('bad.json', JSON.stringify({ ...strict, rounds: 0 })))
    expect(refused.code).toBe(1)
    expect(refused.stderr.trim().split('\n')).toHaveLength(1)
    expect((await run(write('text.json', 'not json'))).code).toBe(2)
    expect((await run(join(home, 'missing.json'))).code).toBe(2)
  })
})
