import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@agentmesh/protocol'
import { keyPath, Mesh, saveKey } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode } from '../helpers/test-node.js'

const home = mkdtempSync(join(tmpdir(), 'agentmesh-knowledge-cli-'))
const env = { AGENTMESH_HOME: home, AGENTMESH_TOKEN: '' }

describe('agentmesh knowledge', () => {
  let node: RunningNode
  let reader: Mesh
  const key = generateKeyPair()

  beforeAll(async () => {
    node = await startTestNode()
    saveKey(keyPath(home, 'scout'), key)
    saveKey(keyPath(home, 'plain'), generateKeyPair())
    reader = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterAll(async () => {
    await reader?.close()
    await node?.stop()
    rmSync(home, { recursive: true, force: true })
  })

  it('asserts facts signed with a key, then queries them and follows a path', async () => {
    const flags = ['--url', node.url, '--key', 'scout']
    // Independent facts: asserted side by side.
    const asserted = await Promise.all([
      runCli(['knowledge', 'assert', 'rome', 'in', 'italy', '--confidence', '0.8', ...flags], env),
      runCli(['knowledge', 'assert', 'italy', 'in', 'europe', ...flags], env),
    ])
    for (const result of asserted) {
      expect(result.stderr).toBe('')
      expect(result.stdout).toMatch(/^Asserted fact_[0-9a-f]{32}\n$/)
    }
    const facts = (await reader.knowledge.query({ subject: 'rome' })).facts
    expect(facts).toMatchObject([
      { object: 'italy', confidence: 0.8, provenance: { agent: key.did } },
    ])
    const readerFlags = ['--url', node.url, '--token', reader.token]
    // The query first: a path read counts a read of the facts on it too.
    const query = await runCli(['knowledge', 'query', '--subject', 'rome', ...readerFlags], env)
    const [paths, json, none] = await Promise.all([
      runCli(['knowledge', 'paths', 'rome', 'europe', ...readerFlags], env),
      runCli(
        ['knowledge', 'paths', 'rome', 'europe', '--max-hops', '1', '--json', ...readerFlags],
        env,
      ),
      runCli(['knowledge', 'query', '--object', 'nowhere', ...readerFlags], env),
    ])
    const [header, row] = query.stdout.trim().split('\n')
    expect(header).toMatch(/^SUBJECT\s+RELATION\s+OBJECT\s+CONF\s+REP\s+READS\s+EFFECT\s+AGENT$/)
    expect(row).toMatch(
      new RegExp(`^rome\\s+in\\s+italy\\s+0\\.80\\s+3\\.50\\s+2\\s+-\\s+${key.did}$`),
    )
    expect(paths.stdout).toBe('rome -in-> italy -in-> europe\n')
    expect(JSON.parse(json.stdout)).toMatchObject({ maxHops: 1, paths: [], truncated: false })
    expect(none.stdout).toBe('no matching facts\n')
  })

  it('refuses bad arguments and reports the node’s refusals', async () => {
    const flags = ['--url', node.url, '--key', 'scout']
    const [confidence, hops, client] = await Promise.all([
      runCli(['knowledge', 'assert', 'a', 'b', 'c', '--confidence', '2', ...flags], env),
      runCli(['knowledge', 'paths', 'a', 'b', '--max-hops', '7', ...flags], env),
      runCli(
        [
          'knowledge',
          'assert',
          'a',
          'b',
          'c',
          '--roles',
          'client',
          '--url',
          node.url,
          '--key',
          'plain',
        ],
        env,
      ),
    ])
    expect(confidence.code).toBe(2)
    expect(confidence.stderr).toContain('Not a number from 0 to 1.')
    expect(hops.code).toBe(2)
    expect(client.code).toBe(1)
    expect(client.stderr).toBe('agentmesh: This needs the role agent\n')
  })
})
