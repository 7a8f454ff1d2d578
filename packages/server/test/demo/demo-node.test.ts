import { readFileSync } from 'node:fs'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import * as demoPackage from '@agentmesh/demo'
import { articles, demoPipeline } from '@agentmesh/demo'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { TASK_EVENTS, type TaskEvent } from '../../src/core/tasks/task-runner.js'
import type { DemoPackage } from '../../src/demo-package.js'
import { resolveNodeConfig } from '../../src/node.js'
import { get, startTestNode } from '../helpers/test-node.js'

const examplePipeline = new URL('../../../../examples/pipelines/demo.yaml', import.meta.url)

describe('the demo on a node', () => {
  it('registers its agents, keeps paid tasks flowing, and stops cleanly', async () => {
    // No grant: the demo client's credit must come out of the node's own (seeded) account.
    const node = await startTestNode({ demo: true, demoTraffic: true })
    const paid: TaskEvent[] = []
    let unsubscribe = () => {}
    try {
      expect(node.demo?.agents.map((a) => a.name)).toEqual([
        'sentiment-express',
        'sentiment-thrifty',
        'lingua',
        'text-analyst',
        'calculator',
        'unit-converter',
      ])
      await new Promise<void>((resolve) => {
        unsubscribe = node.bus.subscribe(TASK_EVENTS, ({ body }) => {
          const event = body as TaskEvent
          if (event.state === 'completed' && BigInt(event.paidMicros) > 0n) paid.push(event)
          if (paid.length >= 3) resolve()
        })
      })
      const client = node.demo!.clientDid!
      expect(paid.every((event) => event.requester === client)).toBe(true)
      // Money moved: the provider of a paid task holds what it earned (it started with nothing).
      const provider = paid[0]!.providerId!
      const account = await get(
        `${node.url}/v1/accounts/${encodeURIComponent(`${provider}:USD`)}`,
        node.adminToken,
      )
      expect(Number(account.body.posted.amount)).toBeGreaterThan(0)

      const search = await get(`${node.url}/v1/agents?q=sentiment`, node.adminToken)
      const results = search.body.results as { agentName: string }[]
      expect(results.map((r) => r.agentName).sort()).toEqual([
        'sentiment-express',
        'sentiment-thrifty',
      ])
      const listed = await get(`${node.url}/v1/tasks?limit=100`, node.adminToken)
      const tasks = listed.body.tasks as { requester: string }[]
      expect(tasks.length).toBeGreaterThanOrEqual(3)
      expect(tasks.some((t) => t.requester === client)).toBe(true)
    } finally {
      unsubscribe()
      await node.stop()
    }
    // Stopped: the demo client's in-flight jobs ended with the node, and nothing sends more.
    expect(node.app.server.listening).toBe(false)
  })

  it('runs the example pipeline file to completion on the demo agents', async () => {
    const node = await startTestNode({
      demo: true,
      demoTraffic: false,
      grant: { amount: '1', currency: 'USD' },
    })
    const client = await Mesh.connect(node.url, { key: generateKeyPair() })
    try {
      expect(node.demo?.clientDid).toBeUndefined()
      const definition: unknown = parseYaml(readFileSync(examplePipeline, 'utf8'))
      expect(definition).toEqual(demoPipeline)
      const run = await client.runPipeline(definition, { text: articles[2] }, { wait: 15_000 })
      expect(run.state).toBe('completed')
      const steps = Object.fromEntries(run.steps.map((s) => [s.id, s]))
      expect(run.steps.map((s) => s.state)).toEqual(Array(4).fill('completed'))
      expect(steps.language?.output).toMatchObject({ language: 'fra' })
      const keywords = (steps.keywords?.output as { keywords: { word: string }[] }).keywords
      expect(keywords[0]?.word).toBe('abeilles')
      const summary = steps.summary?.output as { sentences: string[] }
      expect(summary.sentences).toHaveLength(2)
      expect(Number(run.spent.amount)).toBeGreaterThan(0)
    } finally {
      await client.close()
      await node.stop()
    }
  })

  it('is loaded as the node declares it (the type checker holds the package to that shape)', () => {
    const loaded: DemoPackage = demoPackage
    expect(loaded.startDemo).toBe(demoPackage.startDemo)
  })

  it('keeps traffic on with --demo unless the flag or AGENTMESH_DEMO_TRAFFIC=0 turns it off', () => {
    expect(resolveNodeConfig({ demo: true }, {}).demoTraffic).toBe(true)
    expect(resolveNodeConfig({ demo: true }, { AGENTMESH_DEMO_TRAFFIC: '0' }).demoTraffic).toBe(
      false,
    )
    expect(
      resolveNodeConfig({ demo: true, demoTraffic: true }, { AGENTMESH_DEMO_TRAFFIC: '0' })
        .demoTraffic,
    ).toBe(true)
    expect(resolveNodeConfig({ demo: true, demoTraffic: false }, {}).demoTraffic).toBe(false)
  })
})
