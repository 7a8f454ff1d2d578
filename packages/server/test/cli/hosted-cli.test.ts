import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { keyPath, loadKey, Mesh, saveKey, type TemplatePage } from '@agentmesh/sdk'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { runCli } from '../helpers/cli.js'
import { startHostedNode } from '../helpers/hosted-fixture.js'

let node: RunningNode
const home = mkdtempSync(join(tmpdir(), 'agentmesh-hosted-cli-'))
const project = join(home, 'word-counter')

beforeAll(async () => {
  node = await startHostedNode()
})
afterAll(async () => {
  await node.stop()
  rmSync(home, { recursive: true, force: true })
})

it('deploys an "agent init" project with "agent deploy", then lists and deploys it as a template', async () => {
  const env = { AGENTMESH_HOME: home, AGENTMESH_URL: node.url }
  expect((await runCli(['agent', 'init', project], env)).code).toBe(0)
  const deployed = await runCli(['agent', 'deploy', project, '--cpu-ms', '800'], env)
  expect(deployed.stderr).toBe('')
  expect(deployed.code).toBe(0)
  const key = loadKey(join(project, 'agent-key.json'))
  expect(deployed.stdout).toContain(`Deployed hosted agent ${key.did}`)
  expect(deployed.stdout).toMatch(/sha256 [0-9a-f]{64}/)

  const client = await Mesh.connect(node.url, { key: generateKeyPair(), roles: ['client'] })
  const output = await client.call(
    'word-counter.count-words',
    { text: 'one two three' },
    { maxPrice: '0.01' },
  )
  expect(output).toEqual({ words: 3 })
  const again = await runCli(['agent', 'deploy', project, '--json'], env)
  expect(again.code).toBe(0)
  expect(JSON.parse(again.stdout)).toMatchObject({ id: key.did, limits: { cpuMs: 800 } })

  const owner = await Mesh.connect(node.url, { key, roles: ['agent'] })
  const template = await owner.templates.publish({
    agentId: key.did,
    description: 'Counts words, ready to deploy',
    category: 'text',
    licence: 'Apache-2.0',
    paramsSchema: { type: 'object', properties: { language: { type: 'string' } } },
  })
  const listed = await runCli(
    ['templates', 'list', 'counts', '--json', '--token', node.adminToken],
    env,
  )
  expect(listed.code).toBe(0)
  expect((JSON.parse(listed.stdout) as TemplatePage).templates.map((t) => t.id)).toContain(
    template.id,
  )
  const deployer = generateKeyPair()
  saveKey(keyPath(home, 'deployer'), deployer)
  const viaCli = await runCli(
    ['templates', 'deploy', template.id, '--params', '{"language":"en"}', '--key', 'deployer'],
    env,
  )
  expect(viaCli.stderr).toBe('')
  expect(viaCli.stdout).toContain(`as hosted agent ${deployer.did}`)
  const counted = await client.submit(
    'word-counter.count-words',
    { text: 'a b' },
    { agentId: deployer.did, maxPrice: '0.01', wait: 5000 },
  )
  expect(counted.output).toEqual({ words: 2 })

  // The deployer rates it; the owner may not; the list shows the mean and sorts by it.
  const rated = await runCli(
    ['templates', 'rate', template.id, '4', '--comment', 'fast', '--key', 'deployer'],
    env,
  )
  expect(rated.stderr).toBe('')
  expect(rated.stdout).toContain(
    `Rated template ${template.id} 4/5; its rating is 4.00 from 1 rating`,
  )
  saveKey(keyPath(home, 'owner'), key)
  const byOwner = await runCli(['templates', 'rate', template.id, '5', '--key', 'owner'], env)
  expect(byOwner.code).toBe(1)
  expect(byOwner.stderr).toMatch(/not its owner\) may rate it/)
  const badStars = await runCli(['templates', 'rate', template.id, '6', '--key', 'deployer'], env)
  expect(badStars.code).toBe(2)
  const table = await runCli(
    ['templates', 'list', '--sort', 'rating', '--token', node.adminToken],
    env,
  )
  expect(table.stdout.split('\n')[0]).toMatch(/DEPLOYS\s+RATING/)
  expect(table.stdout.split('\n').find((l) => l.startsWith(template.id))).toMatch(/ 4\.00 \(1\) /)
  expect(readFileSync(join(project, 'agent.js'), 'utf8')).toContain('defineAgent')
}, 120_000)
