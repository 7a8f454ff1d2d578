/**
 * JSON nested thousands of levels deep (a few kilobytes) is refused at the edge with 400 and the
 * path, before any money is reserved, on every surface: the REST API, A2A and MCP; and neither
 * A2A nor MCP ever hands a client the node's internal error text.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { echoCapability, startAgent } from '../helpers/agents.js'
import { securityFixture, type SecurityFixture } from './security-fixture.js'

/** `{"a":{"a":…{"text":"x"}…}}`, `levels` objects deep, written as text. */
const deepText = (levels: number) => `${'{"a":'.repeat(levels)}{"text":"x"}${'}'.repeat(levels)}`
const deep = (levels: number): unknown => JSON.parse(deepText(levels))

describe('deeply nested JSON', () => {
  let f: SecurityFixture
  let agentId: string
  let closeAgent: () => Promise<void>

  beforeAll(async () => {
    f = await securityFixture()
    // Takes any object: only the node's own limits stand between a deep input and the task flow.
    const capability = { ...echoCapability('deep.any'), input: { type: 'object' } }
    const { agent, key } = await startAgent(f.node.url, capability, () => ({ text: 'ok' }))
    agentId = key.did
    closeAgent = () => agent.close()
  })
  afterAll(async () => {
    await closeAgent()
    await f.close()
  })

  /** Alice's account: nothing reserved, nothing spent, and no task stored. */
  async function expectNothingReserved() {
    const account = await f.admin.account(`${f.aliceDid}:USD`)
    expect(account).toMatchObject({ available: { amount: '100' }, pending: { amount: '0' } })
    expect((await f.call('GET', '/v1/tasks', f.alice.token)).body.tasks).toEqual([])
  }

  it('answers 400 INVALID_INPUT with the path for a task input 5000 levels deep, reserving nothing', async () => {
    const body = `{"capability":"deep.any","maxPrice":{"amount":"0.05","currency":"USD"},"input":${deepText(5000)}}`
    expect(body.length).toBeLessThan(64 * 1024)
    const answer = await f.call('POST', '/v1/tasks?wait=5000', f.alice.token, body)
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'INVALID_INPUT' } } })
    const path = answer.body.error.details.path as string
    expect(path).toMatch(/^body\/input(\/a)+$/)
    expect(answer.body.error.message).toContain('64')
    await expectNothingReserved()
  })

  it('still takes an input nested within the limit', async () => {
    const answer = await f.call('POST', '/v1/tasks?wait=5000', f.bob.token, {
      capability: 'deep.any',
      maxPrice: { amount: '0.05', currency: 'USD' },
      input: deep(40),
    })
    expect(answer.body).toMatchObject({ state: 'completed' })
  })

  it('refuses deep JSON on any route, before the route reads it', async () => {
    const answer = await f.call('POST', '/v1/pipelines/runs', f.alice.token, {
      definition: {
        budget: { amount: '1', currency: 'USD' },
        steps: [{ id: 'only', capability: 'deep.any' }],
      },
      input: deep(3000),
    })
    expect(answer).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_INPUT',
          details: { path: expect.stringMatching(/^body\/input\//) },
        },
      },
    })
    await expectNothingReserved()
  })

  it('answers A2A with a JSON-RPC error naming INVALID_INPUT, reserving nothing', async () => {
    const message = (data: string) =>
      `{"jsonrpc":"2.0","id":3,"method":"message/send","params":{"message":{"kind":"message","messageId":"m1","role":"user","parts":[{"kind":"data","data":${data}}]}}}`
    const answer = await f.call('POST', `/a2a/${agentId}`, f.alice.token, message(deepText(5000)))
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ jsonrpc: '2.0', id: 3, error: { code: -32602 } })
    expect(answer.body.error.message).toMatch(/^INVALID_INPUT: /)
    expect(answer.body.error.data[0].reason).toBe('INVALID_INPUT')
    await expectNothingReserved()
  })

  it("never hands an A2A client the store's error text", async () => {
    const answer = await fetch(`${f.node.url}/a2a/${agentId}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${f.alice.token}`,
        'content-type': 'application/json',
        'a2a-version': '1.0',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 4,
        method: 'ListTasks',
        params: { pageSize: 'x' },
      }),
    })
    const body = (await answer.json()) as { error: { code: number; message: string } }
    expect(body.error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/^INVALID_INPUT: /),
    })
    expect(body.error.message).not.toMatch(/datatype|mismatch|sql/i)
  })

  it('answers an MCP tool call with a JSON-RPC error naming INVALID_INPUT, without internal text', async () => {
    const call = `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"call_capability","arguments":{"capability":"deep.any","maxPrice":"0.05","input":${deepText(5000)}}}}`
    const response = await fetch(`${f.node.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${f.alice.token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: call,
    })
    const text = await response.text()
    expect(response.status).toBe(400)
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', id: 5, error: { code: -32602 } })
    expect(text).toContain('INVALID_INPUT')
    expect(text).not.toContain(new URL(f.node.url).port)
    await expectNothingReserved()
  })

  it('gives the official MCP client a readable error for an input past the limit', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${f.node.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${f.alice.token}` } },
      }),
    )
    try {
      const outcome = await client
        .callTool({
          name: 'call_capability',
          arguments: { capability: 'deep.any', input: deep(100), maxPrice: '0.05' },
        })
        .then(
          (result) => JSON.stringify(result as CallToolResult),
          (error: unknown) => String(error),
        )
      expect(outcome).toContain('INVALID_INPUT')
      expect(outcome).not.toContain(new URL(f.node.url).port)
      await expectNothingReserved()
    } finally {
      await client.close()
    }
  })
})
