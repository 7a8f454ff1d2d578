import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentCard, capability } from '../helpers/agent-cards.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode } from '../helpers/test-node.js'

describe('agentmesh agents search', () => {
  let node: RunningNode
  let args: (...rest: string[]) => string[]
  const env = { AGENTMESH_URL: '', AGENTMESH_TOKEN: '' }

  beforeAll(async () => {
    node = await startTestNode()
    args = (...rest) => ['agents', 'search', ...rest, '--url', node.url, '--token', node.adminToken]
    for (const amount of ['0.002', '0.001']) {
      const key = generateKeyPair()
      const mesh = await Mesh.connect(node.url, { key, roles: ['agent'] })
      const pricing = { model: 'per_call' as const, amount, currency: 'USD' }
      await mesh.registerAgent(
        agentCard(key, { name: `translator-${amount}`, capabilities: [capability({ pricing })] }),
        key,
      )
      await mesh.close()
    }
  })
  afterAll(() => node.stop())

  it('prints a readable table, cheapest first, with reasons on --explain', async () => {
    const result = await runCli(args('translator', '--explain'), env)
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toMatch(/^AGENT\s+CAPABILITY\s+PRICE\s+SCORE\s+ONLINE\s+ID$/)
    expect(lines[1]).toMatch(
      /^translator-0\.001\s+text\.sentiment\s+0\.001 USD\s+0\.\d{3}\s+no\s+did:key:/,
    )
    expect(result.stdout).toMatch(/price\s+\+0\.\d{3}\s+0\.001 USD, the cheapest match/)
  })

  it('finds by meaning and shows the text and meaning parts of relevance on --explain', async () => {
    const result = await runCli(args('how happy is this review', '--explain'), env)
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')[1]).toMatch(/^translator-0\.001\s+text\.sentiment\s/)
    expect(result.stdout).toMatch(
      /relevance\s+\+0\.\d{3}\s+text match none \(weight 0\.1\); meaning: cosine 0\.\d+, 100% as close as the closest \(weight 0\.9\)/,
    )
  })

  it('prints JSON with --json and honours --max-price', async () => {
    const result = await runCli(args('translator', '--max-price', '0.0015', '--json'), env)
    expect(result.code).toBe(0)
    const page = JSON.parse(result.stdout) as { results: { agentName: string }[] }
    expect(page.results.map((r) => r.agentName)).toEqual(['translator-0.001'])
  })

  it('exits 2 for a limit over 100 and 1 with one line for a bad price', async () => {
    expect((await runCli(args('x', '--limit', '101'), env)).code).toBe(2)
    const bad = await runCli(args('x', '--max-price', '1e3'), env)
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
  })
})
