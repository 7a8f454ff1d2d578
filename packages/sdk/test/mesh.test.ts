import type { ServerResponse } from 'node:http'
import { generateKeyPair, MeshError } from '@agentmesh/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Mesh, SdkError } from '../src/index.js'
import { FakeNode, json } from './fake-node.js'

/** Answers a server-sent event stream written in the given pieces, then ends it. */
function sse(pieces: string[]) {
  return (_request: unknown, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' })
    for (const piece of pieces) response.write(piece)
    response.end()
  }
}

async function collect<T>(events: AsyncIterable<T>, count = Infinity): Promise<T[]> {
  const out: T[] = []
  for await (const event of events) {
    out.push(event)
    if (out.length >= count) break
  }
  return out
}

describe('Mesh against a fake node', () => {
  let node: FakeNode
  beforeEach(async () => {
    node = await FakeNode.start()
  })
  afterEach(() => node.close())

  it('signs in with its key and sends the issued token as a bearer header', async () => {
    const key = generateKeyPair()
    node.route('GET', '/v1/auth/whoami', (request, response) =>
      json(response, 200, { did: key.did, roles: ['client'], auth: request.headers.authorization }),
    )
    const mesh = await Mesh.connect(`${node.url}/`, { key, roles: ['agent'] })
    const token = node.tokens.get(key.did)!
    expect(mesh.token).toBe(token)
    expect((await node.requests.next((r) => r.path === '/v1/auth/token')).body).toMatchObject({
      did: key.did,
      roles: ['agent'],
    })
    expect(await mesh.whoami()).toMatchObject({ auth: `Bearer ${token}` })
    await mesh.close()
    const revoke = await node.requests.next((r) => r.path === '/v1/auth/revoke')
    expect(revoke.headers.authorization).toBe(`Bearer ${token}`)
  })

  it('adopts a token without signing in, and leaves it unrevoked on close', async () => {
    node.route('GET', '/v1/info', (request, response) =>
      json(response, 200, { did: node.key.did, auth: request.headers.authorization }),
    )
    const mesh = await Mesh.connect(node.url, { token: 'admin-token' })
    expect(await mesh.info()).toMatchObject({ auth: 'Bearer admin-token' })
    await mesh.close()
    expect(node.requests.all.map((r) => r.path)).toEqual(['/v1/info'])
  })

  it('turns a wire error body into a MeshError with its code, message and details', async () => {
    node.route('GET', '/v1/tasks/missing', (_request, response) =>
      json(response, 404, {
        error: {
          code: 'TASK_NOT_FOUND',
          message: 'Task "missing" does not exist',
          retryable: false,
          details: { taskId: 'missing' },
        },
      }),
    )
    const mesh = await Mesh.connect(node.url, { token: 't' })
    const error = await mesh.task('missing').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MeshError)
    expect(error).toMatchObject({
      code: 'TASK_NOT_FOUND',
      status: 404,
      message: 'Task "missing" does not exist',
      details: { taskId: 'missing' },
    })
  })

  it('raises SdkErrors for what goes wrong on its side: options, a non-JSON answer, no node', async () => {
    await expect(Mesh.connect(node.url, {})).rejects.toSatisfy(
      (e) => e instanceof SdkError && e.code === 'BAD_OPTIONS',
    )
    node.route('GET', '/v1/info', (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' })
      response.end('<html>Bad gateway</html>')
    })
    const mesh = await Mesh.connect(node.url, { token: 't' })
    await expect(mesh.info()).rejects.toSatisfy(
      (e) => e instanceof SdkError && e.code === 'BAD_RESPONSE',
    )
    const url = node.url
    await node.close()
    node = await FakeNode.start() // the afterEach closes this one
    const gone = await Mesh.connect(url, { token: 't' })
    await expect(gone.info()).rejects.toSatisfy(
      (e) => e instanceof SdkError && e.code === 'NETWORK' && !(e instanceof MeshError),
    )
  })

  it("answers a call's output, and throws the task's own error or TIMEOUT otherwise", async () => {
    const answers = [
      { id: 't1', state: 'completed', output: { text: 'hi' } },
      { id: 't2', state: 'failed', error: { code: 'NO_PROVIDER', message: 'Nobody serves it' } },
      { id: 't3', state: 'running' },
    ]
    node.route('POST', '/v1/tasks', (_request, response) => json(response, 201, answers.shift()))
    const mesh = await Mesh.connect(node.url, { token: 't' })
    const options = { maxPrice: '0.10', timeoutMs: 2_000 }
    expect(await mesh.call('text.echo', { text: 'hi' }, options)).toEqual({ text: 'hi' })
    const submitted = await node.requests.next((r) => r.path === '/v1/tasks')
    expect(submitted.query.get('wait')).toBe('3000')
    expect(submitted.body).toEqual({
      capability: 'text.echo',
      input: { text: 'hi' },
      maxPrice: { amount: '0.10', currency: 'USD' },
      timeoutMs: 2_000,
    })
    await expect(mesh.call('text.echo', {}, options)).rejects.toMatchObject({
      code: 'NO_PROVIDER',
      message: 'Nobody serves it',
    })
    await expect(mesh.call('text.echo', {}, options)).rejects.toMatchObject({ code: 'TIMEOUT' })
  })

  it("parses a task's server-sent events however the stream is cut", async () => {
    node.route(
      'GET',
      '/v1/tasks/t1/events',
      sse([
        ': connected\n\n',
        'id: 1\nevent: state\ndata: {"state":',
        '"running"}\n\nid: 2\r\nevent: progress\r\n',
        'data: {"progress":0.5,\ndata: "message":"half"}\r\n\r\n',
        'event: note\ndata: plain text\n\n',
        'id: 3\nevent: state\ndata: {"state":"completed"}\n\n',
      ]),
    )
    const mesh = await Mesh.connect(node.url, { token: 'tok' })
    expect(await collect(mesh.taskEvents('t1'))).toEqual([
      { id: '1', event: 'state', data: { state: 'running' } },
      { id: '2', event: 'progress', data: { progress: 0.5, message: 'half' } },
      // The id carries over to events that set none, as the SSE format says.
      { id: '2', event: 'note', data: 'plain text' },
      { id: '3', event: 'state', data: { state: 'completed' } },
    ])
    const request = await node.requests.next((r) => r.path === '/v1/tasks/t1/events')
    expect(request.headers).toMatchObject({
      accept: 'text/event-stream',
      authorization: 'Bearer tok',
    })
  })

  it('throws the MeshError a refused event stream carries', async () => {
    node.route('GET', '/v1/tasks/t9/events', (_request, response) =>
      json(response, 403, { error: { code: 'FORBIDDEN', message: 'Not your task' } }),
    )
    const mesh = await Mesh.connect(node.url, { token: 'tok' })
    await expect(collect(mesh.taskEvents('t9'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Not your task',
    })
  })

  it('resumes a registry watch from the last event id after the stream ends', async () => {
    let streams = 0
    node.route('GET', '/v1/agents/watch', (request, response) => {
      streams++
      const changes =
        streams === 1
          ? [1, 2].map(
              (id) => `id: ${id}\nevent: registered\ndata: {"agentId":"a${id}","at":"t"}\n\n`,
            )
          : [`id: 3\nevent: removed\ndata: {"agentId":"a1","at":"t","reason":"gone"}\n\n`]
      sse(changes)(request, response)
    })
    const mesh = await Mesh.connect(node.url, { token: 'tok' })
    const changes = await collect(mesh.watch(), 3)
    expect(changes).toEqual([
      { id: 1, type: 'registered', agentId: 'a1', at: 't', data: {} },
      { id: 2, type: 'registered', agentId: 'a2', at: 't', data: {} },
      { id: 3, type: 'removed', agentId: 'a1', at: 't', data: { reason: 'gone' } },
    ])
    const watches = node.requests.all.filter((r) => r.path === '/v1/agents/watch')
    expect(watches.map((r) => r.headers['last-event-id'])).toEqual([undefined, '2'])
  })
})
