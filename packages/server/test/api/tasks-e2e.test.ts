import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh, type TaskView } from '@agentmesh/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../src/node.js'
import { agentsOfTest, echo, echoCapability, hang, type startAgent } from '../helpers/agents.js'
import { startTestNode } from '../helpers/test-node.js'

describe('tasks end to end, with SDK agents over WebSockets', () => {
  let node: RunningNode
  let client: Mesh
  const agents = agentsOfTest()
  const fastRetry = { initialIntervalMs: 10, maximumIntervalMs: 20, maximumAttempts: 2 }

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    client = await Mesh.connect(node.url, { key: generateKeyPair() })
  })
  afterEach(() => agents.closeAll())
  afterAll(async () => {
    await client.close()
    await node.stop()
  })

  const agent = agents.start

  /** What an agent earned: its balance less the 100 USD every self-registered key is granted. */
  async function earned(did: string): Promise<number> {
    const admin = await Mesh.connect(node.url, { token: node.adminToken })
    const account = await admin.account(`${did}:USD`)
    return Math.round((Number(account.available.amount) - 100) * 1e6) / 1e6
  }

  it('retries a provider that times out, fails over to the next, and pays only the one that completed', async () => {
    const slow = await agent(node.url, echoCapability('e2e.failover', '0.01', 300), hang)
    const good = await agent(node.url, echoCapability('e2e.failover', '0.02', 2000), echo)
    const task = await client.submit(
      'e2e.failover',
      { text: 'hi' },
      { maxPrice: '0.05', retry: fastRetry, wait: 10_000 },
    )
    expect(task.state).toBe('completed')
    expect(task.providerId).toBe(good.key.did)
    expect(
      task.attempts.map((a) => [a.agentId === slow.key.did ? 'slow' : 'good', a.outcome]),
    ).toEqual([
      ['slow', 'timeout'],
      ['slow', 'timeout'],
      ['good', 'completed'],
    ])
    expect(task.settlement).toMatchObject({
      state: 'posted',
      paid: { amount: '0.02' },
      payee: good.key.did,
    })
    expect(await earned(good.key.did)).toBe(0.02)
    expect(await earned(slow.key.did)).toBe(0)
  })

  it('fails over when a provider dies in the middle of a task', async () => {
    const dying: Awaited<ReturnType<typeof startAgent>> = await agent(
      node.url,
      echoCapability('e2e.dies', '0.01'),
      () => {
        void dying.agent.close()
        return new Promise(() => {})
      },
    )
    const good = await agent(node.url, echoCapability('e2e.dies', '0.02'), echo)
    const task = await client.submit(
      'e2e.dies',
      { text: 'x' },
      { maxPrice: '0.05', retry: fastRetry, wait: 10_000 },
    )
    expect(task.state).toBe('completed')
    expect(task.providerId).toBe(good.key.did)
    expect(task.attempts[0]!.outcome).toBe('disconnected')
  })

  it('cancels a running task: the handler sees the abort and nothing is paid', async () => {
    let aborted!: () => void
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve))
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    const worker = await agent(
      node.url,
      echoCapability('e2e.cancel', '0.01', 60_000),
      (_input, ctx) => {
        started()
        return new Promise((_r, reject) =>
          ctx.signal.addEventListener('abort', () => {
            aborted()
            reject(new Error('aborted'))
          }),
        )
      },
    )
    const task = await client.submit(
      'e2e.cancel',
      { text: 'x' },
      { maxPrice: '0.05', timeoutMs: 60_000 },
    )
    await running
    const canceled = await client.cancel(task.id)
    expect(canceled.state).toBe('canceled')
    await sawAbort
    expect(canceled.settlement.state).toBe('voided')
    expect(await earned(worker.key.did)).toBe(0)
  })

  describe('idempotency keys', () => {
    const post = (body: object) =>
      fetch(`${node.url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` },
        body: JSON.stringify(body),
      })

    it('answers a repeat with the same task and the same bytes, another body with 409, and makes one task of concurrent repeats', async () => {
      await agent(node.url, echoCapability('e2e.idem'), echo)
      const body = {
        capability: 'e2e.idem',
        input: { text: 'a' },
        maxPrice: { amount: '0.05', currency: 'USD' },
        idempotencyKey: 'same-1',
      }
      const first = await post(body)
      const again = await post(body)
      expect(first.status).toBe(202)
      expect(await again.text()).toBe(await first.text())
      const other = await post({ ...body, input: { text: 'b' } })
      expect(other.status).toBe(409)
      expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
        'IDEMPOTENCY_MISMATCH',
      )

      const concurrent = await Promise.all(
        Array.from({ length: 6 }, () => post({ ...body, idempotencyKey: 'same-2' })),
      )
      const ids = await Promise.all(concurrent.map(async (r) => ((await r.json()) as TaskView).id))
      expect(new Set(ids).size).toBe(1)
    })
  })

  it('fails a task whose output breaks the schema, and pays nothing', async () => {
    const liar = await agent(node.url, echoCapability('e2e.liar'), () => ({ wrong: true }))
    const task = await client.submit('e2e.liar', { text: 'x' }, { maxPrice: '0.05', wait: 10_000 })
    expect(task.state).toBe('failed')
    expect(task.error?.code).toBe('INVALID_OUTPUT')
    expect(task.settlement.state).toBe('voided')
    expect(await earned(liar.key.did)).toBe(0)
  })

  describe('quorum', () => {
    it('completes when two of three agree, and disputes when all three must', async () => {
      await agent(node.url, echoCapability('e2e.quorum', '0.01'), echo)
      await agent(node.url, echoCapability('e2e.quorum', '0.01'), echo)
      const odd = await agent(node.url, echoCapability('e2e.quorum', '0.01'), () => ({
        text: 'different',
      }))
      const agreed = await client.submit(
        'e2e.quorum',
        { text: 'q' },
        { maxPrice: '0.05', verify: { mode: 'quorum', n: 3, agree: 2 }, wait: 10_000 },
      )
      expect(agreed.state).toBe('completed')
      expect(agreed.output).toEqual({ text: 'q' })
      expect(agreed.settlement.paid.amount).toBe('0.02')
      expect(await earned(odd.key.did)).toBe(0)
      const disputed = await client.submit(
        'e2e.quorum',
        { text: 'q' },
        { maxPrice: '0.05', verify: { mode: 'quorum', n: 3, agree: 3 }, wait: 10_000 },
      )
      expect(disputed.state).toBe('disputed')
      expect(disputed.settlement.state).toBe('voided')
    })
  })

  it('runs a pipeline of four steps with a parallel pair and a skipped step', async () => {
    await agent(node.url, echoCapability('e2e.p.echo'), echo)
    await agent(node.url, echoCapability('e2e.p.upper'), (input) => ({
      text: input.text.toUpperCase(),
    }))
    await agent(node.url, echoCapability('e2e.p.broken'), () => {
      throw Object.assign(new Error('no'), {})
    })
    const run = await client.runPipeline(
      {
        budget: { amount: '1', currency: 'USD' },
        steps: [
          { id: 'first', capability: 'e2e.p.echo', input: { text: { $ref: '/input/text' } } },
          {
            id: 'upper',
            capability: 'e2e.p.upper',
            needs: ['first'],
            input: { text: { $ref: '/steps/first/output/text' } },
          },
          {
            id: 'broken',
            capability: 'e2e.p.broken',
            needs: ['first'],
            onFailure: 'skip',
            input: { text: 'x' },
          },
          {
            id: 'last',
            capability: 'e2e.p.echo',
            needs: ['upper', 'broken'],
            input: { text: { $ref: '/steps/upper/output/text' } },
          },
        ],
      },
      { text: 'hello' },
      { wait: 20_000 },
    )
    expect(run.state).toBe('completed')
    expect(Object.fromEntries(run.steps.map((s) => [s.id, s.state]))).toEqual({
      first: 'completed',
      upper: 'completed',
      broken: 'failed',
      last: 'skipped',
    })
    expect(run.steps.find((s) => s.id === 'upper')!.output).toEqual({ text: 'HELLO' })
  })

  it('negotiates: an intent gets a signed offer, the accepted contract runs a task at its price, a canceled one is refused', async () => {
    const provider = await agent(node.url, echoCapability('e2e.deal', '0.03'), echo)
    const requesterKey = generateKeyPair()
    const requester = await Mesh.connect(node.url, { key: requesterKey })
    const intent = await requester.openIntent('e2e.deal', { maxPrice: '0.05', windowMs: 2000 })
    const { offers } = await requester.intent(intent.id, { wait: 5000 })
    expect(offers[0]).toMatchObject({ provider: provider.key.did, price: { amount: '0.03' } })
    const contract = await requester.accept(intent.id, offers[0]!.id)
    expect(contract.state).toBe('active')
    const task = await requester.submit(
      'e2e.deal',
      { text: 'c' },
      { maxPrice: '0.05', contractId: contract.id, wait: 10_000 },
    )
    expect(task).toMatchObject({
      state: 'completed',
      providerId: provider.key.did,
      settlement: { paid: { amount: '0.03' } },
    })
    await requester.cancelContract(contract.id)
    await expect(
      requester.submit('e2e.deal', { text: 'c' }, { maxPrice: '0.05', contractId: contract.id }),
    ).rejects.toMatchObject({ code: 'CONTRACT_CANCELED', status: 409 })
    await requester.close()
  })

  it("lets a handler call another capability on the task's behalf", async () => {
    await agent(node.url, echoCapability('e2e.inner'), (input) => ({ text: `inner:${input.text}` }))
    await agent(node.url, echoCapability('e2e.outer', '0.01', 5000), async (input, ctx) => {
      const inner = await ctx.call<{ text: string }>(
        'e2e.inner',
        { text: input.text },
        { maxPrice: '0.01' },
      )
      return { text: `outer:${inner.text}` }
    })
    const task = await client.submit('e2e.outer', { text: 'x' }, { maxPrice: '0.05', wait: 10_000 })
    expect(task.output).toEqual({ text: 'outer:inner:x' })
  })

  describe('bad input', () => {
    it('answers 404 naming an unknown capability, 422 with the path for bad input, 400 for an out-of-range timeout', async () => {
      await agent(node.url, echoCapability('e2e.bad'), echo)
      await expect(
        client.submit('e2e.nothing', { text: 'x' }, { maxPrice: '0.05' }),
      ).rejects.toMatchObject({
        code: 'CAPABILITY_NOT_FOUND',
        status: 404,
        message: expect.stringContaining('"e2e.nothing"'),
      })
      await expect(
        client.submit('e2e.bad', { text: 7 }, { maxPrice: '0.05' }),
      ).rejects.toMatchObject({
        code: 'SCHEMA_MISMATCH',
        status: 422,
        details: { path: '/text' },
      })
      await expect(
        client.submit('e2e.bad', { text: 'x' }, { maxPrice: '0.05', timeoutMs: 0 }),
      ).rejects.toMatchObject({ status: 400 })
      await expect(
        client.submit('e2e.bad', { text: 'x' }, { maxPrice: '0.05', timeoutMs: 10_000_000 }),
      ).rejects.toMatchObject({ status: 400 })
    })

    it('answers 400 naming a cycle or a dangling need in a pipeline', async () => {
      const budget = { amount: '1', currency: 'USD' }
      await expect(
        client.runPipeline({
          budget,
          steps: [
            { id: 'a', capability: 'x.y', needs: ['b'] },
            { id: 'b', capability: 'x.y', needs: ['a'] },
          ],
        }),
      ).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/cycle: a -> b -> a/) })
      await expect(
        client.runPipeline({ budget, steps: [{ id: 'a', capability: 'x.y', needs: ['ghost'] }] }),
      ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('"ghost"') })
    })
  })
})
