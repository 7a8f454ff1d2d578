import { generateKeyPair, MeshError, verifyJws, type TaskFrame } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineAgent, type Agent, type AgentCapability } from '../src/index.js'
import { FakeNode, Inbox, json, type AgentLink } from './fake-node.js'

const echo: AgentCapability<{ text: string }> = {
  id: 'text.echo',
  description: 'Echoes its text',
  input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  output: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  pricing: { model: 'per_call', amount: '0.01', currency: 'USD' },
  sla: { timeoutMs: 5_000 },
  handler: ({ text }) => ({ text }),
}

let taskCount = 0
function task(capabilityId: string, input: unknown, overrides: Partial<TaskFrame> = {}): TaskFrame {
  return {
    type: 'task',
    taskId: `task-${++taskCount}`,
    attempt: 1,
    capabilityId,
    input,
    deadline: new Date(Date.now() + 60_000).toISOString(),
    depth: 0,
    budget: '0.50',
    currency: 'USD',
    ...overrides,
  }
}

describe('defineAgent against a fake node', () => {
  const key = generateKeyPair()
  let node: FakeNode
  let agent: Agent | undefined

  beforeEach(async () => {
    node = await FakeNode.start()
  })
  afterEach(async () => {
    vi.restoreAllMocks()
    await agent?.close()
    agent = undefined
    await node.close()
  })

  async function start(
    capabilities: AgentCapability[] = [echo],
    options: { onReady?: () => void; onError?: (error: Error) => void } = {},
  ): Promise<AgentLink> {
    agent = defineAgent({ name: 'tester', description: 'test agent', capabilities, concurrency: 2 })
    await agent.connect(node.url, { key, ...options })
    return node.agents.next()
  }

  it('registers a card signed with its key, then signs the socket challenge with the same key', async () => {
    const link = await start()
    const registration = await node.requests.next((r) => r.path === '/v1/agents')
    const { card } = registration.body as { card: string }
    const { payload } = verifyJws<{ did: string; capabilities: { id: string }[] }>(card, key.did)
    expect(payload.capabilities.map((c) => c.id)).toEqual(['text.echo'])
    expect(payload.capabilities[0]).not.toHaveProperty('handler')
    expect(await link.next('hello')).toEqual({ type: 'hello', did: key.did, concurrency: 2 })
    expect(link.verified).toBe(true)
    expect(agent!.connected).toBe(true)
  })

  it('runs the handler for a task frame and answers accepted, progress, then the result', async () => {
    const seen: unknown[] = []
    const link = await start([
      {
        ...echo,
        handler: (input: { text: string }, ctx) => {
          seen.push([ctx.taskId, ctx.attempt, ctx.capabilityId, ctx.depth, ctx.budget])
          ctx.progress(2, 'half way')
          return { text: input.text.toUpperCase() }
        },
      },
    ])
    const frame = task('text.echo', { text: 'hi' }, { attempt: 2, depth: 1 })
    link.send(frame)
    const reply = { taskId: frame.taskId, attempt: 2 }
    expect(await link.next('accepted', frame.taskId)).toEqual({ type: 'accepted', ...reply })
    expect(await link.next('progress', frame.taskId)).toEqual({
      type: 'progress',
      ...reply,
      progress: 1,
      message: 'half way',
    })
    expect(await link.next('result', frame.taskId)).toEqual({
      type: 'result',
      ...reply,
      output: { text: 'HI' },
    })
    expect(seen).toEqual([[frame.taskId, 2, 'text.echo', 1, { amount: '0.50', currency: 'USD' }]])
  })

  it('answers an error frame for output that breaks the output schema, a throw, or an unknown capability', async () => {
    const errors: Error[] = []
    const link = await start(
      [
        { ...echo, handler: () => ({ text: 42 }) },
        { ...echo, id: 'text.fail', handler: () => Promise.reject(new Error('disk full')) },
        {
          ...echo,
          id: 'text.coded',
          handler: () => Promise.reject(new MeshError('INVALID_INPUT', 'No text')),
        },
      ],
      { onError: (error) => errors.push(error) },
    )
    const bad = task('text.echo', { text: 'hi' })
    const fail = task('text.fail', { text: 'hi' })
    const coded = task('text.coded', { text: 'hi' })
    const unknown = task('text.unknown', { text: 'hi' })
    for (const frame of [bad, fail, coded, unknown]) link.send(frame)
    const answerOf = async (frame: TaskFrame) => {
      const answer = await link.frames.next(
        (f) => (f.type === 'error' || f.type === 'result') && f.taskId === frame.taskId,
      )
      return answer.type === 'error' ? (answer.error as { code: string }).code : answer
    }
    expect(await answerOf(bad)).toBe('INVALID_OUTPUT')
    expect(await answerOf(fail)).toBe('PROVIDER_ERROR')
    expect(await answerOf(coded)).toBe('INVALID_INPUT')
    expect(await answerOf(unknown)).toBe('CAPABILITY_NOT_FOUND')
    expect(errors.map((e) => e.message)).toContain('disk full')
  })

  it('aborts the handler on a cancel frame and sends nothing for that task afterwards', async () => {
    let returned: () => void = () => {}
    const handlerReturned = new Promise<void>((resolve) => (returned = resolve))
    let reason: unknown
    const link = await start([
      {
        ...echo,
        id: 'text.slow',
        handler: async (_input, ctx) => {
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
          reason = ctx.signal.reason
          returned()
          return { text: 'too late' }
        },
      },
      echo,
    ])
    const slow = task('text.slow', { text: 'x' })
    link.send(slow)
    await link.next('accepted', slow.taskId)
    link.send({ type: 'cancel', taskId: slow.taskId, attempt: slow.attempt })
    await handlerReturned
    expect(reason).toBeInstanceOf(MeshError)
    expect((reason as MeshError).code).toBe('TASK_CANCELED')
    // Frames come in order: once a later task's result is in, the canceled one sent nothing.
    const later = task('text.echo', { text: 'after' })
    link.send(later)
    await link.next('result', later.taskId)
    expect(link.frames.all.filter((f) => f.taskId === slow.taskId).map((f) => f.type)).toEqual([
      'accepted',
    ])
  })

  it('reconnects after the socket drops, backing off 200, 400, 800 ms while refused', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1) // no jitter: the delays are the backoff itself
    const delays: number[] = []
    const realSetTimeout = globalThis.setTimeout
    vi.spyOn(globalThis, 'setTimeout').mockImplementation((fn, ms, ...args: unknown[]) => {
      // The agent's own timers only, short of a task's deadline.
      const fromAgent = new Error().stack?.includes('src/define-agent.ts') ?? false
      if (fromAgent && ms !== undefined && ms <= 10_000) delays.push(ms)
      return Reflect.apply(realSetTimeout, globalThis, [fn, ms, ...args]) as NodeJS.Timeout
    })
    const ready = new Inbox<number>()
    let readyCount = 0
    const aborted: unknown[] = []
    const first = await start(
      [
        {
          ...echo,
          handler: async (_input, ctx) => {
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
            aborted.push(ctx.signal.reason)
            return { text: '' }
          },
        },
      ],
      { onReady: () => ready.push(++readyCount) },
    )
    const running = task('text.echo', { text: 'x' })
    first.send(running)
    await first.next('accepted', running.taskId)
    node.refuseConnections = 2
    first.drop()
    const second = await node.agents.next()
    expect(second.verified).toBe(true)
    expect(await ready.next((n) => n === 2)).toBe(2)
    expect(delays).toEqual([200, 400, 800])
    expect((aborted[0] as MeshError).code).toBe('PROVIDER_DISCONNECTED')
    const after = task('text.echo', { text: 'y' })
    second.send(after)
    await second.next('accepted', after.taskId)
  })

  it('sends a heartbeat frame on its heartbeat interval', async () => {
    const beats: (() => void)[] = []
    const realSetInterval = globalThis.setInterval
    vi.spyOn(globalThis, 'setInterval').mockImplementation((fn, ms, ...args: unknown[]) => {
      if (ms === 10_000) beats.push(fn)
      return Reflect.apply(realSetInterval, globalThis, [fn, ms, ...args]) as NodeJS.Timeout
    })
    const link = await start()
    expect(beats).toHaveLength(1)
    beats[0]!()
    expect(await link.next('heartbeat')).toEqual({ type: 'heartbeat' })
  })

  it('answers an intent with an offer signed by its key, at the list price by default', async () => {
    const link = await start()
    const intent = {
      type: 'intent' as const,
      requester: generateKeyPair().did,
      capabilityId: 'text.echo',
      input: { text: 'x' },
      maxPrice: { amount: '1', currency: 'USD' },
      closesAt: new Date(Date.now() + 2_000).toISOString(),
    }
    link.send({ ...intent, intentId: 'intent-1' })
    const offer = await link.next('offer')
    expect(offer.intentId).toBe('intent-1')
    const { payload } = verifyJws<Record<string, unknown>>(offer.terms as string, key.did)
    expect(payload).toMatchObject({
      intent: 'intent-1',
      requester: intent.requester,
      provider: key.did,
      capability: 'text.echo',
      price: { amount: '0.01', currency: 'USD' },
    })
  })

  it('calls another capability from a handler with the session the node issued, passing budget and parent', async () => {
    node.route('POST', '/v1/tasks', (request, response) =>
      json(response, 201, {
        id: 'child-1',
        state: 'completed',
        output: { text: `child of ${(request.body as { parentTaskId: string }).parentTaskId}` },
      }),
    )
    const link = await start([
      {
        ...echo,
        handler: (_input, ctx) => ctx.call<{ text: string }>('text.other', { text: 'inner' }),
      },
    ])
    const frame = task('text.echo', { text: 'outer' })
    link.send(frame)
    expect((await link.next('result', frame.taskId)).output).toEqual({
      text: `child of ${frame.taskId}`,
    })
    const child = await node.requests.next((r) => r.path === '/v1/tasks')
    expect(child.headers.authorization).toBe(`Bearer ${node.tokens.get(key.did)}`)
    expect(child.body).toMatchObject({
      capability: 'text.other',
      input: { text: 'inner' },
      maxPrice: { amount: '0.50', currency: 'USD' },
      parentTaskId: frame.taskId,
    })
  })
})
