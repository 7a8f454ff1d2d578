import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh, type PipelineRunView } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { echo, echoCapability, startAgent } from '../helpers/agents.js'
import { get, startTestNode } from '../helpers/test-node.js'

const budget = { amount: '1', currency: 'USD' }
const echoRun = { budget, steps: [{ id: 'a', capability: 'api.runs.echo', input: { text: 'x' } }] }
// No agent offers this capability, so its runs fail.
const failingRun = { budget, steps: [{ id: 'a', capability: 'api.runs.none', input: {} }] }

describe('GET /v1/pipelines/runs', () => {
  let node: RunningNode
  let alice: Mesh
  let bob: Mesh
  let admin: Mesh
  let stopAgent: () => Promise<void>
  /** Run ids per principal, in the order they were started. */
  const started: { alice: string[]; bob: string[] } = { alice: [], bob: [] }

  /** The ids of every run the caller lists, following `nextCursor` page after page. */
  async function allPages(token: string, limit: number, extra = '') {
    const ids: string[] = []
    let cursor: string | undefined
    for (let pages = 0; pages < 50; pages++) {
      const query = `limit=${limit}${extra}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const page = await get(`${node.url}/v1/pipelines/runs?${query}`, token)
      expect(page.status).toBe(200)
      ids.push(...(page.body.results as PipelineRunView[]).map((r) => r.id))
      cursor = page.body.nextCursor
      if (!cursor) return ids
    }
    throw new Error('Too many pages')
  }

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    const agent = await startAgent(node.url, echoCapability('api.runs.echo'), echo)
    stopAgent = () => agent.agent.close()
    alice = await Mesh.connect(node.url, { key: generateKeyPair() })
    bob = await Mesh.connect(node.url, { key: generateKeyPair() })
    admin = await Mesh.connect(node.url, { token: node.adminToken })
    // Interleaved, each in a millisecond of its own, so "newest first" has one answer.
    const plan: [keyof typeof started, Mesh, object][] = [
      ['alice', alice, echoRun],
      ['bob', bob, echoRun],
      ['alice', alice, failingRun],
      ['alice', alice, echoRun],
      ['bob', bob, failingRun],
      ['alice', alice, echoRun],
      ['alice', alice, echoRun],
    ]
    for (const [who, mesh, definition] of plan) {
      const run = await mesh.runPipeline(definition, undefined, { wait: 10_000 })
      started[who].push(run.id)
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  })
  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close(), admin?.close()])
    await stopAgent?.()
    await node?.stop()
  })

  it("lists only the caller's own runs, newest first", async () => {
    const mine = await get(`${node.url}/v1/pipelines/runs`, alice.token)
    expect(mine.status).toBe(200)
    expect(mine.body.nextCursor).toBeUndefined()
    const runs = mine.body.results as PipelineRunView[]
    expect(runs.map((r) => r.id)).toEqual([...started.alice].reverse())
    const { did } = await alice.whoami()
    expect(runs.every((r) => r.requester === did)).toBe(true)
    expect(runs[0]).toMatchObject({ state: 'completed', steps: [{ id: 'a', state: 'completed' }] })
    const theirs = await get(`${node.url}/v1/pipelines/runs`, bob.token)
    expect((theirs.body.results as PipelineRunView[]).map((r) => r.id)).toEqual(
      [...started.bob].reverse(),
    )
  })

  it('pages with the cursor, covering every run exactly once', async () => {
    expect(await allPages(alice.token, 2)).toEqual([...started.alice].reverse())
    expect(await allPages(alice.token, 1)).toEqual([...started.alice].reverse())
    expect(await allPages(bob.token, 1)).toEqual([...started.bob].reverse())
  })

  it('filters by state', async () => {
    const failed = await get(`${node.url}/v1/pipelines/runs?state=failed`, alice.token)
    expect((failed.body.results as PipelineRunView[]).map((r) => r.id)).toEqual([started.alice[1]])
    const completed = await allPages(bob.token, 1, '&state=completed')
    expect(completed).toEqual([started.bob[0]])
  })

  it("shows an admin everyone's runs, newest first", async () => {
    const all = await allPages(admin.token, 3)
    const everyone = [...started.alice, ...started.bob].sort().reverse()
    expect(all).toEqual(everyone)
  })

  it('lists through the SDK, page by page', async () => {
    const first = await alice.pipelineRuns({ limit: 3 })
    expect(first.results.map((r) => r.id)).toEqual([...started.alice].reverse().slice(0, 3))
    expect(first.nextCursor).toBe(first.results[2]!.id)
    const rest = await alice.pipelineRuns({ limit: 3, cursor: first.nextCursor! })
    expect(rest.results.map((r) => r.id)).toEqual([...started.alice].reverse().slice(3))
    expect(rest.nextCursor).toBeUndefined()
    const failed = await bob.pipelineRuns({ state: 'failed' })
    expect(failed.results.map((r) => r.id)).toEqual([started.bob[1]])
  })

  it.each([
    ['limit=0', 'INVALID_INPUT'],
    ['limit=101', 'INVALID_INPUT'],
    ['limit=ten', 'INVALID_INPUT'],
    ['state=bogus', 'INVALID_INPUT'],
    ['owner=me', 'UNKNOWN_FIELD'],
  ])('answers 400 for ?%s with %s', async (query, code) => {
    const result = await get(`${node.url}/v1/pipelines/runs?${query}`, alice.token)
    expect(result).toMatchObject({ status: 400, body: { error: { code, retryable: false } } })
  })

  it('answers 401 without a token', async () => {
    expect((await get(`${node.url}/v1/pipelines/runs`)).status).toBe(401)
  })
})
