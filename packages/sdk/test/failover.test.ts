import { generateKeyPair, MeshError, type TaskFrame } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { defineAgent, Mesh, SdkError, type Agent } from '../src/index.js'
import { FakeNode, Inbox, json, type Received } from './fake-node.js'
import type { ServerResponse } from 'node:http'

/** A URL where nothing listens: a fake node's, once it has closed. */
async function deadUrl(): Promise<string> {
  const node = await FakeNode.start()
  const { url } = node
  await node.close()
  return url
}

/** Breaks the connection without an answer, as a node dying mid-request would. */
const reset = (_request: Received, response: ServerResponse) => {
  response.socket?.destroy()
}

const stopping = (_request: Received, response: ServerResponse) =>
  json(response, 503, {
    error: { code: 'UNAVAILABLE', message: 'Node is stopping', retryable: true },
  })

/** Answers `who` when the bearer token is one this node issued, else 401 as a real node would. */
function guarded(node: FakeNode, who: string) {
  return (request: Received, response: ServerResponse) => {
    const issued = [...node.tokens.values()].map((t) => `Bearer ${t}`)
    if (!issued.includes(request.headers.authorization ?? '')) {
      return json(response, 401, { error: { code: 'TOKEN_INVALID', message: 'Unknown token' } })
    }
    json(response, 200, { who })
  }
}

describe('Mesh with several node URLs', () => {
  const key = generateKeyPair()
  let one: FakeNode
  let two: FakeNode
  beforeEach(async () => {
    ;[one, two] = await Promise.all([FakeNode.start(), FakeNode.start()])
  })
  afterEach(() => Promise.all([one.close(), two.close()]))

  it('signs in on the first node that answers', async () => {
    const mesh = await Mesh.connect([await deadUrl(), two.url], { key })
    expect(mesh.url).toBe(two.url)
    expect(mesh.token).toBe(two.tokens.get(key.did))
  })

  it('reads from the next node when one resets or answers 503, signing in again there', async () => {
    one.route('GET', '/v1/info', reset)
    two.route('GET', '/v1/info', guarded(two, 'two'))
    const mesh = await Mesh.connect([one.url, two.url], { key })
    expect(mesh.url).toBe(one.url)
    expect(await mesh.info()).toEqual({ who: 'two' })
    expect(mesh.url).toBe(two.url)
    expect(mesh.token).toBe(two.tokens.get(key.did))
    two.route('GET', '/v1/info', stopping)
    one.route('GET', '/v1/info', guarded(one, 'one'))
    expect(await mesh.info()).toEqual({ who: 'one' })
  })

  it('submits again elsewhere only a task with an idempotency key', async () => {
    one.route('POST', '/v1/tasks', reset)
    two.route('POST', '/v1/tasks', (request, response) => json(response, 201, request.body))
    const mesh = await Mesh.connect([one.url, two.url], { token: 'shared' })
    const plain = mesh.submit('text.echo', {}, { maxPrice: '1' })
    await expect(plain).rejects.toBeInstanceOf(SdkError)
    expect(mesh.url).toBe(one.url)
    const keyed = await mesh.submit('text.echo', {}, { maxPrice: '1', idempotencyKey: 'k1' })
    expect(keyed).toMatchObject({ idempotencyKey: 'k1' })
    expect(mesh.url).toBe(two.url)
    const sent = await two.requests.next((r) => r.path === '/v1/tasks')
    expect(sent.headers.authorization).toBe('Bearer shared')
  })

  it('sends a non-idempotent request elsewhere when no connection was made', async () => {
    two.route('POST', '/v1/transfers', (request, response) => json(response, 201, request.body))
    const mesh = await Mesh.connect([await deadUrl(), two.url], { token: 'shared' })
    const body = { id: 't1', creditAccount: 'a', amount: { amount: '1', currency: 'USD' } }
    expect(await mesh.transfer(body)).toEqual(body)
  })

  it('keeps the error a node reports, and fails when every node is down', async () => {
    one.route('GET', '/v1/info', stopping)
    two.route('GET', '/v1/info', stopping)
    const mesh = await Mesh.connect([one.url, two.url], { token: 'shared' })
    const error = await mesh.info().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MeshError)
    expect((error as MeshError).code).toBe('UNAVAILABLE')
    await expect(Mesh.connect([await deadUrl(), await deadUrl()], { key })).rejects.toThrow(
      /Cannot reach/,
    )
    await expect(Mesh.connect([], { key })).rejects.toThrow(/1 to 64 node URLs/)
    await expect(Mesh.connect(['ftp://x'], { key })).rejects.toThrow(/not an http/)
  })
})

describe('an agent with several node URLs', () => {
  const key = generateKeyPair()
  let one: FakeNode
  let two: FakeNode
  let agent: Agent | undefined
  beforeEach(async () => {
    ;[one, two] = await Promise.all([FakeNode.start(), FakeNode.start()])
  })
  afterEach(async () => {
    await agent?.close()
    await Promise.all([one.close(), two.close()])
  })

  function start(release: Promise<unknown>, readies: Inbox<string>, urls = [one.url, two.url]) {
    agent = defineAgent({
      name: 'mover',
      description: 'moves between nodes',
      capabilities: [
        {
          id: 'text.echo',
          description: 'Echoes once released',
          input: { type: 'object' },
          output: { type: 'object' },
          pricing: { model: 'per_call', amount: '0.01', currency: 'USD' },
          sla: { timeoutMs: 5_000 },
          handler: async (input: unknown) => {
            await release
            return input as object
          },
        },
      ],
    })
    return agent.connect(urls, {
      key,
      onReady: () => readies.push(agent!.connected ? 'ready' : 'not'),
    })
  }

  it('moves to the node a draining frame names, finishing its running task on the old one', async () => {
    let release = () => {}
    const released = new Promise<void>((resolve) => (release = resolve))
    const three = await FakeNode.start()
    onTestFinished(() => three.close())
    await start(released, new Inbox(), [one.url, two.url, three.url])
    const first = await one.agents.next()
    const frame: TaskFrame = {
      type: 'task',
      taskId: 'task-1',
      attempt: 1,
      capabilityId: 'text.echo',
      input: { n: 1 },
      deadline: new Date(Date.now() + 60_000).toISOString(),
      depth: 0,
      budget: '1',
      currency: 'USD',
    }
    first.send(frame)
    await first.next('accepted', 'task-1')
    // The named node comes before the list's next one (two).
    first.send({ type: 'draining', reconnectTo: ['javascript:alert(1)', three.url] })
    const second = await three.agents.next()
    expect(second.verified).toBe(true)
    release()
    expect(await first.next('result', 'task-1')).toMatchObject({ output: { n: 1 } })
    await first.closed
    second.send({ ...frame, taskId: 'task-2' })
    expect(await second.next('result', 'task-2')).toMatchObject({ output: { n: 1 } })
  })

  it('connects to the next node when its node drops, and starts on the next if the first is down', async () => {
    const readies = new Inbox<string>()
    await start(Promise.resolve(), readies)
    const first = await one.agents.next()
    first.drop()
    expect((await two.agents.next()).verified).toBe(true)
    expect(await readies.next()).toBe('ready')
    expect(await readies.next()).toBe('ready')
    await agent!.close()
    const urls = [one.url, two.url]
    await one.close()
    await start(Promise.resolve(), new Inbox(), urls)
    expect((await two.agents.next()).verified).toBe(true)
  })
})
