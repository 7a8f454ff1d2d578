import { TaskState, type Message, type StreamResponse } from '@a2a-js/sdk'
import {
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../../src/node.js'
import { echo, echoCapability, hang, startAgent } from '../../helpers/agents.js'
import { get, post, startTestNode } from '../../helpers/test-node.js'

/** An A2A client of the official SDK that sends the bearer token on every call. */
function a2aFactory(token: string): ClientFactory {
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers)
    headers.set('authorization', `Bearer ${token}`)
    return fetch(input, { ...init, headers })
  }
  return new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
    }),
  )
}

function message(data: unknown, metadata?: Record<string, unknown>): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId: '',
    taskId: '',
    role: 1,
    parts: [
      { content: { $case: 'data', value: data }, metadata: undefined, filename: '', mediaType: '' },
    ],
    metadata,
    extensions: [],
    referenceTaskIds: [],
  }
}

const send = (msg: Message, returnImmediately = false) => ({
  tenant: '',
  message: msg,
  configuration: {
    acceptedOutputModes: [],
    taskPushNotificationConfig: undefined,
    returnImmediately,
  },
  metadata: undefined,
})

describe('A2A with the official @a2a-js/sdk client', () => {
  let node: RunningNode
  let mesh: Mesh
  let echoAgent: string
  let hangAgent: string
  const closers: (() => Promise<void>)[] = []

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    mesh = await Mesh.connect(node.url, { key: generateKeyPair() })
    const a = await startAgent(node.url, echoCapability('a2a.echo', '0.01'), echo)
    const b = await startAgent(node.url, echoCapability('a2a.hang', '0.01', 5000), hang)
    closers.push(
      () => a.agent.close(),
      () => b.agent.close(),
    )
    echoAgent = a.key.did
    hangAgent = b.key.did
  })
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()))
    await mesh.close()
    await node.stop()
  })

  const client = (agentId: string): Promise<Client> =>
    a2aFactory(mesh.token).createFromUrl(`${node.url}/a2a/${agentId}/`)

  it('serves a public card with a skill per capability and a bearer security scheme', async () => {
    const c = await client(echoAgent)
    const card = await c.getAgentCard()
    expect(card.skills.map((s) => s.id)).toEqual(['a2a.echo'])
    expect(card.supportedInterfaces.map((i) => i.protocolVersion)).toEqual(['1.0', '0.3'])
    expect(card.securitySchemes.bearer?.scheme).toMatchObject({
      $case: 'httpAuthSecurityScheme',
      value: { scheme: 'Bearer' },
    })
    expect(card.capabilities?.streaming).toBe(true)
  })

  it('sends a message and gets a completed task with the output as an artifact, paid from escrow', async () => {
    const c = await client(echoAgent)
    const result = await c.sendMessage(send(message({ text: 'hello' })))
    if (!('status' in result)) throw new Error('expected a task')
    expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    const part = result.artifacts[0]?.parts[0]
    expect(part?.content).toEqual({ $case: 'data', value: { text: 'hello' } })
    const task = await mesh.task(result.id)
    expect(task.settlement).toMatchObject({ state: 'posted', paid: { amount: '0.01' } })
    expect(task.providerId).toBe(echoAgent)
  })

  it('streams the task, its states, the artifact and the final status', async () => {
    const c = await client(echoAgent)
    const events: StreamResponse[] = []
    for await (const event of c.sendMessageStream(send(message({ text: 'stream' })))) {
      events.push(event)
    }
    const kinds = events.map((e) => e.payload?.$case)
    expect(kinds[0]).toBe('task')
    expect(kinds.at(-2)).toBe('artifactUpdate')
    expect(kinds.at(-1)).toBe('statusUpdate')
    const last = events.at(-1)?.payload
    expect(last?.$case === 'statusUpdate' && last.value.status?.state).toBe(
      TaskState.TASK_STATE_COMPLETED,
    )
  })

  it('cancels a running task and lists the caller’s tasks', async () => {
    const c = await client(hangAgent)
    const started = await c.sendMessage(send(message({ text: 'wait' }), true))
    if (!('status' in started)) throw new Error('expected a task')
    const canceled = await c.cancelTask({ tenant: '', id: started.id, metadata: undefined })
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED)
    const fetched = await c.getTask({ tenant: '', id: started.id })
    expect(fetched.status?.state).toBe(TaskState.TASK_STATE_CANCELED)
    const listed = await c.listTasks({
      tenant: '',
      contextId: '',
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageToken: '',
      statusTimestampAfter: undefined,
    })
    expect(listed.tasks.map((t) => t.id)).toContain(started.id)
    expect((await mesh.task(started.id)).settlement.state).toBe('voided')
  })

  it('routes through the node card by discovery, with the capability in the metadata', async () => {
    const card = await get(`${node.url}/.well-known/agent-card.json`)
    expect(card.status).toBe(200)
    const c = await a2aFactory(mesh.token).createFromUrl(node.url)
    const skills = (await c.getAgentCard()).skills.map((s) => s.id)
    expect(skills).toEqual(expect.arrayContaining(['a2a.echo', 'a2a.hang']))
    const result = await c.sendMessage(
      send(message({ text: 'via node' }, { capability: 'a2a.echo' })),
    )
    if (!('status' in result)) throw new Error('expected a task')
    expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
  })

  it('answers an unknown agent with a JSON-RPC error, and a v0.3 request in v0.3 shapes', async () => {
    const unknown = await post(
      `${node.url}/a2a/did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK`,
      { jsonrpc: '2.0', id: 7, method: 'GetTask', params: { id: 'x' } },
      { authorization: `Bearer ${mesh.token}`, 'a2a-version': '1.0' },
    )
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32602 } })
    expect(unknown.body.error.data[0].reason).toBe('AGENT_NOT_FOUND')

    const legacy = await post(
      `${node.url}/a2a/${echoAgent}`,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: crypto.randomUUID(),
            role: 'user',
            parts: [{ kind: 'data', data: { text: 'old' } }],
          },
        },
      },
      { authorization: `Bearer ${mesh.token}` },
    )
    expect(legacy.status).toBe(200)
    expect(legacy.body.result).toMatchObject({
      kind: 'task',
      status: { state: 'completed' },
      artifacts: [{ parts: [{ kind: 'data', data: { text: 'old' } }] }],
    })
  })

  it('refuses JSON-RPC without a token', async () => {
    const answer = await post(`${node.url}/a2a/${echoAgent}`, {
      jsonrpc: '2.0',
      id: 1,
      method: 'GetTask',
      params: { id: 'x' },
    })
    expect(answer.status).toBe(401)
  })
})
