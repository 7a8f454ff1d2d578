/**
 * The mandatory JSON-RPC points of the A2A conformance kit (a2aproject/a2a-tck: tests/mandatory/
 * jsonrpc/test_json_rpc_compliance.py, test_protocol_violations.py, protocol/
 * test_tasks_list_method.py, test_tasks_get_method.py, agent card), reproduced as raw JSON-RPC
 * against one agent's endpoint, in protocol 1.0 and in 0.3 where the point applies to both.
 */
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../../src/node.js'
import { echo, echoCapability, startAgent } from '../../helpers/agents.js'
import { get, startTestNode, type ApiBody } from '../../helpers/test-node.js'

describe('A2A conformance kit, mandatory JSON-RPC points', () => {
  let node: RunningNode
  let mesh: Mesh
  let url: string
  const closers: (() => Promise<void>)[] = []

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    mesh = await Mesh.connect(node.url, { key: generateKeyPair() })
    const a = await startAgent(node.url, echoCapability('tck.echo', '0.01'), echo)
    closers.push(() => a.agent.close())
    url = `${node.url}/a2a/${a.key.did}`
  })
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()))
    await mesh.close()
    await node.stop()
  })

  const raw = async (body: string, version: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${mesh.token}`,
        'a2a-version': version,
      },
      body,
    })
    return { status: response.status, body: (await response.json()) as ApiBody }
  }
  const rpc = (body: unknown, version = '1.0') => raw(JSON.stringify(body), version)
  const call = async (method: string, params: unknown, version = '1.0'): Promise<ApiBody> =>
    (await rpc({ jsonrpc: '2.0', id: 1, method, params }, version)).body

  const sendText = (text: string, contextId?: string) =>
    call('SendMessage', {
      message: {
        messageId: crypto.randomUUID(),
        role: 'ROLE_USER',
        parts: [{ text }],
        ...(contextId ? { contextId } : {}),
      },
    })

  for (const [version, sendMethod] of [
    ['1.0', 'SendMessage'],
    ['0.3', 'message/send'],
  ] as const) {
    describe(`envelope errors, protocol ${version}`, () => {
      it('answers a body that is not JSON with -32700 and id null (HTTP 200)', async () => {
        const answer = await raw('{"jsonrpc": "2.0", "method": "SendMessage", "params": {', version)
        expect(answer.status).toBe(200)
        expect(answer.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } })
      })

      it.each([
        ['jsonrpc other than 2.0', { jsonrpc: '1.0', id: 5, method: sendMethod, params: {} }, 5],
        ['no method', { jsonrpc: '2.0', id: 6, params: {} }, 6],
        ['an object id', { jsonrpc: '2.0', id: { bad: 1 }, method: sendMethod, params: {} }, null],
        ['an array id', { jsonrpc: '2.0', id: [1], method: sendMethod, params: {} }, null],
      ])('refuses %s with -32600', async (_what, body, id) => {
        const answer = await rpc(body, version)
        expect(answer.status).toBe(200)
        expect(answer.body).toMatchObject({ jsonrpc: '2.0', id, error: { code: -32600 } })
      })

      it('answers an unknown method with -32601 and params with an empty key with -32602', async () => {
        expect((await call('SendMessageXXX', {}, version)).error.code).toBe(-32601)
        expect((await call(sendMethod, { '': 'x' }, version)).error.code).toBe(-32602)
      })

      it('refuses a message without messageId (and one whose parts are not a list)', async () => {
        const parts = version === '1.0' ? [{ text: 'x' }] : [{ kind: 'text', text: 'x' }]
        const noId = await call(sendMethod, { message: { role: 'user', parts } }, version)
        expect(noId.error.code).toBe(-32602)
        const badParts = await call(sendMethod, { message: { parts: 'invalid' } }, version)
        expect(badParts.error.code).toBe(-32602)
      })

      it('echoes the id of a duplicate request id', async () => {
        const id = `dup-${crypto.randomUUID()}`
        const params = (text: string) => ({
          message:
            version === '1.0'
              ? { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }] }
              : {
                  kind: 'message',
                  messageId: crypto.randomUUID(),
                  role: 'user',
                  parts: [{ kind: 'text', text }],
                },
        })
        const first = await rpc(
          { jsonrpc: '2.0', id, method: sendMethod, params: params('a') },
          version,
        )
        const second = await rpc(
          { jsonrpc: '2.0', id, method: sendMethod, params: params('b') },
          version,
        )
        expect(first.body.id).toBe(id)
        expect(first.body.result).toBeDefined()
        expect(second.body.id).toBe(id)
      })
    })
  }

  it('GetTask: a negative historyLength is -32602 (1.0 and 0.3); historyLength 0 empties it', async () => {
    const sent = await sendText('get me')
    const id = sent.result.task.id
    expect((await call('GetTask', { id, historyLength: -1 })).error.code).toBe(-32602)
    expect((await call('tasks/get', { id, historyLength: -1 }, '0.3')).error.code).toBe(-32602)
    const none = await call('GetTask', { id, historyLength: 0 })
    expect(none.result.history ?? []).toEqual([])
    expect((await call('GetTask', { id: 'no-such-task' })).error.code).toBe(-32001)
  })

  describe('ListTasks', () => {
    const context = `ctx-${crypto.randomUUID()}`
    const ids: string[] = []
    let before = ''

    beforeAll(async () => {
      before = new Date(Date.now() - 1000).toISOString()
      for (let i = 0; i < 5; i++) ids.push((await sendText(`task ${i}`, context)).result.task.id)
      await sendText('elsewhere')
    })

    it('filters by contextId, newest first, with totalSize over three pages and an empty last token', async () => {
      const seen: string[] = []
      let token = ''
      const pages: ApiBody[] = []
      do {
        const page = (
          await call('ListTasks', { contextId: context, pageSize: 2, pageToken: token })
        ).result
        pages.push(page)
        expect(page.totalSize).toBe(5)
        seen.push(...(page.tasks as { id: string }[]).map((t) => t.id))
        token = page.nextPageToken
      } while (token !== '' && pages.length < 5)
      expect(pages.map((p: { pageSize: number }) => p.pageSize)).toEqual([2, 2, 1])
      expect(pages.at(-1)!.nextPageToken).toBe('')
      expect(seen).toEqual([...ids].reverse())
      for (const page of pages) for (const t of page.tasks) expect(t.contextId).toBe(context)
    })

    it('filters by status and statusTimestampAfter; an empty match is an empty page', async () => {
      const completed = (
        await call('ListTasks', { contextId: context, status: 'TASK_STATE_COMPLETED' })
      ).result
      expect(completed.totalSize).toBe(5)
      const working = (
        await call('ListTasks', { contextId: context, status: 'TASK_STATE_WORKING' })
      ).result
      expect(working).toMatchObject({ tasks: [], totalSize: 0, pageSize: 0, nextPageToken: '' })
      const after = (await call('ListTasks', { contextId: context, statusTimestampAfter: before }))
        .result
      expect(after.totalSize).toBe(5)
      const future = new Date(Date.now() + 60_000).toISOString()
      const none = (await call('ListTasks', { contextId: context, statusTimestampAfter: future }))
        .result
      expect(none.totalSize).toBe(0)
    })

    it('leaves artifacts out unless asked, and honours historyLength', async () => {
      const plain = (await call('ListTasks', { contextId: context, pageSize: 1 })).result
      expect(plain.tasks[0].artifacts ?? []).toEqual([])
      expect(plain.tasks[0].history).toHaveLength(1)
      const full = (
        await call('ListTasks', {
          contextId: context,
          pageSize: 1,
          includeArtifacts: true,
          historyLength: 0,
        })
      ).result
      expect(full.tasks[0].artifacts[0].parts[0]).toMatchObject({ data: { text: 'task 4' } })
      expect(full.tasks[0].history ?? []).toEqual([])
    })

    it.each([
      ['a made-up pageToken', { pageToken: 'invalid-token-xyz' }],
      [
        'a well-formed token naming no task of the caller',
        { pageToken: Buffer.from('{"after":"nope"}').toString('base64url') },
      ],
      ['an unknown status', { status: 'INVALID_STATUS' }],
      ['pageSize 0', { pageSize: 0 }],
      ['a negative pageSize', { pageSize: -1 }],
      ['pageSize 101', { pageSize: 101 }],
      ['a negative historyLength', { historyLength: -1 }],
      ['a malformed timestamp', { statusTimestampAfter: 'yesterday' }],
      ['a negative timestamp', { statusTimestampAfter: -1 }],
    ])('answers %s with -32602', async (_what, params) => {
      expect((await call('ListTasks', params)).error?.code).toBe(-32602)
    })
  })

  it('serves the 1.0 card to a client that has not negotiated, 0.3 on request', async () => {
    const first = await get(`${url}/.well-known/agent-card.json`)
    expect(
      (first.body.supportedInterfaces as { protocolVersion: string }[]).map(
        (i) => i.protocolVersion,
      ),
    ).toEqual(['1.0', '0.3'])
    expect(first.body.capabilities).toMatchObject({ streaming: true, pushNotifications: true })
    expect(decodeURIComponent(first.body.url)).toBe(url)
    const text = JSON.stringify(first.body.securitySchemes)
    expect(text).not.toMatch(/\/v1\/|127\.0\.0\.1|localhost/)
    const legacy = await fetch(`${url}/.well-known/agent-card.json`, {
      headers: { 'a2a-version': '0.3' },
    })
    const old = (await legacy.json()) as Record<string, unknown>
    expect(old.protocolVersion).toBe('0.3.0')
    expect(old.supportedInterfaces).toBeUndefined()
  })
})
