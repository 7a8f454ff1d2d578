import { TaskState, type Message } from '@a2a-js/sdk'
import {
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client'
import { generateKeyPair, isTerminal } from '@agentmesh/protocol'
import { Mesh, type TaskContext } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../../src/node.js'
import { echoCapability, startAgent } from '../../helpers/agents.js'
import { startTestNode } from '../../helpers/test-node.js'
import { waitUntil } from '../../helpers/wait-until.js'

/** An agent that asks its requester for a name (an object with a string `name`) before answering. */
async function greeter(input: { text: string }, ctx: TaskContext) {
  const timeoutMs = input.text === 'nobody answers' ? 300 : undefined
  const answer = await ctx.requestInput<{ name: string }>(
    `Whom should I greet for "${input.text}"?`,
    { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    timeoutMs === undefined ? {} : { timeoutMs },
  )
  return { text: `hello ${answer.name}` }
}

function a2aClient(token: string, url: string): Promise<Client> {
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers)
    headers.set('authorization', `Bearer ${token}`)
    return fetch(input, { ...init, headers })
  }
  return new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
    }),
  ).createFromUrl(url)
}

const message = (data: unknown, taskId = ''): Message => ({
  messageId: crypto.randomUUID(),
  contextId: '',
  taskId,
  role: 1,
  parts: [
    { content: { $case: 'data', value: data }, metadata: undefined, filename: '', mediaType: '' },
  ],
  metadata: undefined,
  extensions: [],
  referenceTaskIds: [],
})
const send = (msg: Message) => ({
  tenant: '',
  message: msg,
  configuration: undefined,
  metadata: undefined,
})

describe('multi-turn tasks (input-required)', () => {
  let node: RunningNode
  let mesh: Mesh
  let agentId: string
  let close: () => Promise<void>

  const finished = async (id: string) => {
    await waitUntil(async () => isTerminal((await mesh.task(id)).state), {
      what: 'the task to end',
    })
    return mesh.task(id)
  }

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    mesh = await Mesh.connect(node.url, { key: generateKeyPair() })
    const started = await startAgent(
      node.url,
      echoCapability('turns.greet', '0.01', 10_000),
      greeter,
    )
    close = () => started.agent.close()
    agentId = started.key.did
  })
  afterAll(async () => {
    await close()
    await mesh.close()
    await node.stop()
  })

  it('asks, takes the answer through the official A2A client, completes and is paid once', async () => {
    const client = await a2aClient(mesh.token, `${node.url}/a2a/${agentId}/`)
    const asked = await client.sendMessage(send(message({ text: 'party' })))
    if (!('status' in asked)) throw new Error('expected a task')
    expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED)
    const prompt = asked.status?.message?.parts[0]?.content
    expect(prompt).toEqual({ $case: 'text', value: 'Whom should I greet for "party"?' })

    // An answer that fails the agent's schema is refused; the task keeps waiting.
    await expect(client.sendMessage(send(message({ nom: 1 }, asked.id)))).rejects.toThrow(
      /SCHEMA_MISMATCH/,
    )
    expect((await mesh.task(asked.id)).state).toBe('input_required')

    const done = await client.sendMessage(send(message({ name: 'Ada' }, asked.id)))
    if (!('status' in done)) throw new Error('expected a task')
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    expect(done.artifacts[0]?.parts[0]?.content).toEqual({
      $case: 'data',
      value: { text: 'hello Ada' },
    })
    expect(done.history.map((m) => m.role)).toEqual([1, 2, 1])
    const task = await mesh.task(asked.id)
    expect(task.settlement).toMatchObject({ state: 'posted', paid: { amount: '0.01' } })
    expect(task.history.map((h) => h.state)).toEqual(
      expect.arrayContaining(['input_required', 'running', 'completed']),
    )
    expect(task.history.filter((h) => h.state === 'completed')).toHaveLength(1)

    // A follow-up to a finished task keeps answering A2A's error.
    await expect(client.sendMessage(send(message({ name: 'again' }, asked.id)))).rejects.toThrow(
      /completed/,
    )
  })

  it('asks, takes the answer through the mesh SDK, and completes', async () => {
    const submitted = await mesh.submit(
      'turns.greet',
      { text: 'sdk' },
      { maxPrice: '0.01', agentId },
    )
    await waitUntil(async () => (await mesh.task(submitted.id)).state === 'input_required', {
      what: 'the agent to ask',
    })
    await expect(mesh.answer(submitted.id, { name: 42 })).rejects.toMatchObject({
      code: 'SCHEMA_MISMATCH',
    })
    await mesh.answer(submitted.id, { name: 'Grace' })
    const done = await finished(submitted.id)
    expect(done.state).toBe('completed')
    expect(done.output).toEqual({ text: 'hello Grace' })
    await expect(mesh.answer(submitted.id, { name: 'late' })).rejects.toMatchObject({
      code: 'TASK_FINISHED',
    })
    expect(done.settlement).toMatchObject({ state: 'posted', paid: { amount: '0.01' } })
  })

  it('ends an unanswered request at the input timeout and voids the escrow', async () => {
    const submitted = await mesh.submit(
      'turns.greet',
      { text: 'nobody answers' },
      { maxPrice: '0.01', agentId },
    )
    const done = await finished(submitted.id)
    expect(done.state).toBe('timed_out')
    expect(done.error?.code).toBe('INPUT_TIMEOUT')
    expect(done.settlement.state).toBe('voided')
    expect(done.attempts).toHaveLength(1)
  })
})
