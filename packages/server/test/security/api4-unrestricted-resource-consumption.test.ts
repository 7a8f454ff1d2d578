/**
 * OWASP API4:2023 Unrestricted Resource Consumption: bodies, request rates, agent concurrency,
 * call nesting, pipeline size, schema size and wait times all have limits, and a request over a
 * limit is refused with the catalogue's code before it costs anything.
 */
import { generateKeyPair, signJws } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentCard, capability } from '../helpers/agent-cards.js'
import { echoCapability, startAgent } from '../helpers/agents.js'
import { get, startTestNode } from '../helpers/test-node.js'
import { securityFixture, type SecurityFixture } from './security-fixture.js'

describe('API4 resource consumption', () => {
  let f: SecurityFixture

  beforeAll(async () => {
    f = await securityFixture({ bodyLimitBytes: 512 * 1024 })
  })
  afterAll(() => f.close())

  it('answers 413 PAYLOAD_TOO_LARGE for a body over the cap, and creates no task', async () => {
    const result = await f.call('POST', '/v1/tasks', f.alice.token, {
      capability: 'text.echo',
      input: { text: 'x'.repeat(600 * 1024) },
      maxPrice: { amount: '0.01', currency: 'USD' },
    })
    expect(result).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } })
    expect((await f.call('GET', '/v1/tasks', f.alice.token)).body.tasks).toEqual([])
  })

  it('never gives an agent more tasks at once than the concurrency its card declares', async () => {
    let inFlight = 0
    let most = 0
    let started = () => {}
    const first = new Promise<void>((resolve) => (started = resolve))
    let release = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const { agent } = await startAgent(
      f.node.url,
      echoCapability('sec.narrow', '0.01', 10_000),
      async (input) => {
        most = Math.max(most, ++inFlight)
        started()
        await gate
        inFlight--
        return input
      },
      { concurrency: 1 },
    )
    const running = Promise.all(
      Array.from({ length: 4 }, () =>
        f.alice.submit('sec.narrow', { text: 'x' }, { maxPrice: '0.05', wait: 10_000 }),
      ),
    )
    await first
    release()
    const finished = await running
    expect(most).toBe(1)
    // The others waited their turn, or were told the agent was busy: never a second slot.
    for (const task of finished) {
      if (task.state !== 'completed') expect(JSON.stringify(task.error)).toContain('PROVIDER_BUSY')
    }
    expect(finished.some((t) => t.state === 'completed')).toBe(true)
    await agent.close()
  })

  it('stops calls that nest deeper than the limit with DEPTH_EXCEEDED', async () => {
    const { agent } = await startAgent(
      f.node.url,
      echoCapability('sec.recurse', '0.01', 10_000),
      (input, ctx) =>
        ctx.call('sec.recurse', input, { maxPrice: '0.01', retry: { maximumAttempts: 1 } }),
      { concurrency: 16 },
    )
    const task = await f.alice.submit(
      'sec.recurse',
      { text: 'loop' },
      {
        maxPrice: '0.01',
        retry: { maximumAttempts: 1 },
        wait: 10_000,
      },
    )
    expect(task.state).toBe('failed')
    expect(JSON.stringify(task.error)).toContain('DEPTH_EXCEEDED')
    // The top task and at most five nested ones: the loop was cut.
    const all = await f.call('GET', '/v1/tasks?limit=100', f.admin.token)
    const loop = (all.body.tasks as { capability: string }[]).filter(
      (t) => t.capability === 'sec.recurse',
    )
    expect(loop.length).toBeLessThanOrEqual(6)
    await agent.close()
  })

  it('refuses a pipeline of more than 50 steps, and starts nothing', async () => {
    const steps = Array.from({ length: 51 }, (_, i) => ({ id: `s${i}`, capability: 'text.echo' }))
    const result = await f.call('POST', '/v1/pipelines/runs', f.alice.token, {
      definition: { budget: { amount: '1', currency: 'USD' }, steps },
    })
    expect(result).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } })
  })

  it('refuses an agent card whose schema nests too deep or that is too large', async () => {
    const key = generateKeyPair()
    const agent = await Mesh.connect(f.node.url, { key, roles: ['agent'] })
    let deep: Record<string, unknown> = { type: 'string' }
    for (let i = 0; i < 40; i++) deep = { type: 'object', properties: { a: deep } }
    const deepCard = agentCard(key, { capabilities: [capability({ input: deep })] })
    const tooDeep = await f.call('POST', '/v1/agents', agent.token, {
      card: signJws(deepCard, key),
    })
    expect(tooDeep).toMatchObject({ status: 422, body: { error: { code: 'SCHEMA_INVALID' } } })
    const big = agentCard(key, { description: 'x'.repeat(300 * 1024) })
    const tooBig = await f.call('POST', '/v1/agents', agent.token, { card: signJws(big, key) })
    expect(tooBig).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } })
    expect((await f.call('GET', `/v1/agents/${key.did}`, agent.token)).status).toBe(404)
    await agent.close()
  })

  it('refuses waits and page sizes over their maximum', async () => {
    const body = {
      capability: 'text.echo',
      input: { text: 'x' },
      maxPrice: { amount: '0.01', currency: 'USD' },
    }
    const wait = await f.call('POST', '/v1/tasks?wait=600001', f.alice.token, body)
    expect(wait.status).toBe(400)
    expect((await f.call('GET', '/v1/tasks?limit=101', f.alice.token)).status).toBe(400)
  })
})

describe('API4 rate limits', () => {
  let node: RunningNode

  beforeAll(async () => {
    node = await startTestNode({ rateLimit: { principalMax: 5, ipMax: 8, windowMs: 60_000 } })
  })
  afterAll(() => node.stop())

  async function token() {
    const did = generateKeyPair().did
    await node.context.auth.ensurePrincipal(did, ['client'])
    return (await node.context.auth.issue(did, 60_000)).token
  }

  it('answers 429 RATE_LIMITED with retry-after once a principal passes its limit, whatever others do', async () => {
    const [alice, bob] = [await token(), await token()]
    for (let i = 0; i < 5; i++)
      expect((await get(`${node.url}/v1/auth/whoami`, alice)).status).toBe(200)
    const limited = await fetch(`${node.url}/v1/auth/whoami`, {
      headers: { authorization: `Bearer ${alice}` },
    })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited.json()).toMatchObject({
      error: { code: 'RATE_LIMITED', retryable: true },
    })
    expect((await get(`${node.url}/v1/auth/whoami`, bob)).status).toBe(200)
  })

  it('limits public routes per address', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 9; i++) statuses.push((await get(`${node.url}/v1/info`)).status)
    expect(statuses.slice(0, 8).every((s) => s === 200)).toBe(true)
    expect(statuses[8]).toBe(429)
  })
})

describe('API4 failed authentications', () => {
  // A node of its own: failed authentications share the address's budget with public calls.
  let node: RunningNode

  beforeAll(async () => {
    node = await startTestNode({ rateLimit: { principalMax: 5, ipMax: 8, windowMs: 60_000 } })
  })
  afterAll(() => node.stop())

  async function token() {
    const did = generateKeyPair().did
    await node.context.auth.ensurePrincipal(did, ['client'])
    return (await node.context.auth.issue(did, 60_000)).token
  }

  it('limits failed authentications per address, while a good token from it still passes', async () => {
    const good = await token()
    const statuses: number[] = []
    for (let i = 0; i < 9; i++)
      statuses.push((await get(`${node.url}/v1/auth/whoami`, `amt_${'x'.repeat(43)}`)).status)
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401))
    const limited = await fetch(`${node.url}/v1/auth/whoami`, {
      headers: { authorization: 'Bearer not-a-token' },
    })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } })
    expect(statuses[8]).toBe(429)
    expect((await get(`${node.url}/v1/auth/whoami`, good)).status).toBe(200)
  })
})
