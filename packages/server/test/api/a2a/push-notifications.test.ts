import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateKeyPair, isTerminal } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SIGNATURE_HEADER } from '../../../src/adapters/http/push-signature.js'
import { verifyPush } from '../../helpers/verify-push.js'
import type { RunningNode } from '../../../src/node.js'
import { echo, echoCapability, startAgent } from '../../helpers/agents.js'
import { post, startTestNode, type ApiBody } from '../../helpers/test-node.js'
import { waitUntil } from '../../helpers/wait-until.js'

interface Received {
  body: string
  signature: string
  token: string | undefined
}

/** A webhook receiver on loopback; `answer` decides each response (it may hold the request). */
async function receiver(
  answer: (request: IncomingMessage, response: ServerResponse, body: string) => void,
): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    request.on('end', () => {
      received.push({
        body,
        signature: String(request.headers[SIGNATURE_HEADER] ?? ''),
        token: request.headers['x-a2a-notification-token'] as string | undefined,
      })
      answer(request, response, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}/hook`, received }
}

const stateOf = (body: string) =>
  (
    JSON.parse(body) as {
      statusUpdate: { metadata: { agentmesh: { state: string; seq: number } } }
    }
  ).statusUpdate.metadata.agentmesh

describe('push notifications of task state changes', () => {
  let node: RunningNode
  let mesh: Mesh
  let close: () => Promise<void>
  const servers: Server[] = []
  const secret = 'a-secret-of-at-least-16'

  beforeAll(async () => {
    node = await startTestNode({
      grant: { amount: '100', currency: 'USD' },
      // Loopback receivers are private addresses: allowed for this test only.
      outbound: { allowPrivate: true, timeoutMs: 10_000, maxResponseBytes: 65_536 },
    })
    mesh = await Mesh.connect(node.url, { key: generateKeyPair() })
    const started = await startAgent(node.url, echoCapability('push.echo', '0.01'), echo)
    close = () => started.agent.close()
  })
  afterAll(async () => {
    for (const server of servers) server.closeAllConnections()
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    await close()
    await mesh.close()
    await node.stop()
  })

  it('POSTs every state change once, signed with the webhook secret', async () => {
    const hook = await receiver((_request, response) => response.writeHead(204).end())
    servers.push(hook.server)
    const task = await mesh.submit(
      'push.echo',
      { text: 'hi' },
      { maxPrice: '0.01', webhook: { url: hook.url, secret } },
    )
    await waitUntil(() => hook.received.some((r) => stateOf(r.body).state === 'completed'), {
      what: 'the completed notification',
    })
    const final = await mesh.task(task.id)
    const seqs = hook.received.map((r) => stateOf(r.body).seq).sort((a, b) => a - b)
    expect(seqs).toEqual(final.history.map((h) => h.seq))
    expect(hook.received.map((r) => stateOf(r.body).state).sort()).toEqual(
      final.history.map((h) => h.state).sort(),
    )
    for (const r of hook.received)
      expect(verifyPush(secret, r.body, r.signature, Date.now())).toBe(true)
    expect(
      verifyPush(
        'another-secret-16chars',
        hook.received[0]!.body,
        hook.received[0]!.signature,
        Date.now(),
      ),
    ).toBe(false)
  })

  it('retries a receiver that is down without holding the task back', async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    let calls = 0
    const accepted = new Set<number>()
    const hook = await receiver((_request, response, body) => {
      calls++
      // The first delivery hangs until the task is over; then the receiver fails twice more.
      if (calls === 1) void held.then(() => response.writeHead(503).end())
      else if (calls <= 3) response.writeHead(503).end()
      else {
        accepted.add(stateOf(body).seq)
        response.writeHead(200).end()
      }
    })
    servers.push(hook.server)
    const task = await mesh.submit(
      'push.echo',
      { text: 'slow hook' },
      { maxPrice: '0.01', webhook: { url: hook.url, secret } },
    )
    await waitUntil(async () => isTerminal((await mesh.task(task.id)).state), {
      what: 'the task to end',
    })
    // The task ended, paid, while its receiver still held a notification unanswered.
    const ended = await mesh.task(task.id)
    expect(ended.state).toBe('completed')
    expect(ended.settlement.state).toBe('posted')
    await waitUntil(() => calls >= 1, { what: 'the first delivery' })
    release()
    const all = ended.history.map((h) => h.seq)
    await waitUntil(() => all.every((seq) => accepted.has(seq)), {
      what: 'every notification delivered after retries',
    })
    expect(hook.received.length).toBeGreaterThanOrEqual(all.length + 3)
    for (const r of hook.received)
      expect(verifyPush(secret, r.body, r.signature, Date.now())).toBe(true)
  })

  it('refuses a webhook to a URL that is not http(s), before any money moves', async () => {
    const answer = await post(
      `${node.url}/v1/tasks`,
      {
        capability: 'push.echo',
        input: { text: 'x' },
        maxPrice: { amount: '0.01', currency: 'USD' },
        webhook: { url: 'file:///etc/passwd', secret },
      },
      { authorization: `Bearer ${mesh.token}` },
    )
    expect(answer.status).toBe(400)
    expect(answer.body.error.code).toBe('INVALID_INPUT')
  })

  it('sets, reads, lists and deletes A2A push configs of a task', async () => {
    const hook = await receiver((_request, response) => response.writeHead(200).end())
    servers.push(hook.server)
    const task = await mesh.submit('push.echo', { text: 'a2a' }, { maxPrice: '0.01', wait: 5000 })
    const agentUrl = `${node.url}/a2a/${task.providerId}`
    const rpc = async (method: string, params: unknown): Promise<ApiBody> =>
      (
        await post(
          agentUrl,
          { jsonrpc: '2.0', id: 1, method, params },
          { authorization: `Bearer ${mesh.token}`, 'a2a-version': '1.0' },
        )
      ).body
    const created = await rpc('CreateTaskPushNotificationConfig', {
      taskId: task.id,
      id: 'c1',
      url: hook.url,
      token: 'tok-123456789',
    })
    expect(created.result).toMatchObject({ id: 'c1', taskId: task.id, url: hook.url })
    // A config set late gets the transitions so far, with the token and a signature keyed by it.
    await waitUntil(() => hook.received.some((r) => stateOf(r.body).state === 'completed'))
    expect(hook.received[0]!.token).toBe('tok-123456789')
    expect(
      verifyPush('tok-123456789', hook.received[0]!.body, hook.received[0]!.signature, Date.now()),
    ).toBe(true)
    expect(
      (await rpc('GetTaskPushNotificationConfig', { taskId: task.id, id: 'c1' })).result.url,
    ).toBe(hook.url)
    expect(
      (await rpc('ListTaskPushNotificationConfigs', { taskId: task.id })).result.configs,
    ).toHaveLength(1)
    expect(
      (await rpc('DeleteTaskPushNotificationConfig', { taskId: task.id, id: 'c1' })).result,
    ).toBeNull()
    expect(
      (await rpc('GetTaskPushNotificationConfig', { taskId: task.id, id: 'c1' })).error.code,
    ).toBe(-32001)
  })
})
