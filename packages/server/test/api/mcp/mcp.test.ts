import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { generateKeyPair } from '@agentmesh/protocol'
import { keyPath, Mesh, saveKey } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningNode } from '../../../src/node.js'
import { echo, echoCapability, startAgent } from '../../helpers/agents.js'
import { cliPath } from '../../helpers/cli.js'
import { startTestNode } from '../../helpers/test-node.js'

const TOOLS = ['call_capability', 'get_balance', 'get_task', 'run_pipeline', 'search_agents']

const text = (result: unknown) =>
  ((result as CallToolResult).content[0] as { text: string } | undefined)?.text ?? ''

describe('MCP with the official @modelcontextprotocol/sdk client', () => {
  let node: RunningNode
  let mesh: Mesh
  const closers: (() => Promise<void>)[] = []

  beforeAll(async () => {
    node = await startTestNode({ grant: { amount: '100', currency: 'USD' } })
    mesh = await Mesh.connect(node.url, { key: generateKeyPair() })
    const { agent } = await startAgent(node.url, echoCapability('mcp.echo', '0.01'), echo)
    closers.push(() => agent.close())
  })
  afterAll(async () => {
    await Promise.all(closers.map((close) => close()))
    await mesh.close()
    await node.stop()
  })

  async function httpClient(token: string): Promise<Client> {
    const client = new Client({ name: 'test', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${node.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    )
    closers.push(() => client.close())
    return client
  }

  it('lists the tools over HTTP', async () => {
    const client = await httpClient(mesh.token)
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS)
  })

  it('calls a capability, pays for it, and reads the task and the balance', async () => {
    const client = await httpClient(mesh.token)
    const found = await client.callTool({ name: 'search_agents', arguments: { query: 'mcp echo' } })
    expect(text(found)).toContain('mcp.echo')
    const called = await client.callTool({
      name: 'call_capability',
      arguments: { capability: 'mcp.echo', input: { text: 'hi' }, maxPrice: '0.05' },
    })
    expect(called.isError).toBeFalsy()
    const task = JSON.parse(text(called)) as { id: string; state: string; output: unknown }
    expect(task).toMatchObject({ state: 'completed', output: { text: 'hi' } })
    const read = await client.callTool({ name: 'get_task', arguments: { taskId: task.id } })
    expect(JSON.parse(text(read))).toMatchObject({ id: task.id, settlement: { state: 'posted' } })
    const balance = await client.callTool({ name: 'get_balance', arguments: {} })
    expect(JSON.parse(text(balance))).toMatchObject({ available: { amount: '99.99' } })
  })

  it('answers bad arguments with a clear error', async () => {
    const client = await httpClient(mesh.token)
    const bad = await client
      .callTool({
        name: 'call_capability',
        arguments: { capability: 'mcp.echo', maxPrice: 'free' },
      })
      .then(
        (result) => (result.isError ? text(result) : 'no error'),
        (error: Error) => error.message,
      )
    expect(bad).toMatch(/maxPrice/)
    expect(bad).toMatch(/input/)
    const refused = await client.callTool({
      name: 'call_capability',
      arguments: { capability: 'mcp.echo', input: { wrong: 1 }, maxPrice: '0.05' },
    })
    expect(refused.isError).toBe(true)
    expect(text(refused)).toMatch(/^SCHEMA_MISMATCH: /)
  })

  it('refuses /mcp without a bearer token', async () => {
    const response = await fetch(`${node.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    expect(response.status).toBe(401)
  })

  it('serves the same tools over stdio from the built CLI, signed in with a key', async () => {
    const home = mkdtempSync(join(tmpdir(), 'agentmesh-mcp-'))
    closers.push(() => Promise.resolve(rmSync(home, { recursive: true, force: true })))
    saveKey(keyPath(home, 'assistant'), generateKeyPair())
    const client = new Client({ name: 'test', version: '1.0.0' })
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [cliPath, 'mcp', '--url', node.url, '--key', 'assistant'],
        env: { ...(process.env as Record<string, string>), AGENTMESH_HOME: home },
        stderr: 'pipe',
      }),
    )
    try {
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name).sort()).toEqual(TOOLS)
      const called = await client.callTool({
        name: 'call_capability',
        arguments: { capability: 'mcp.echo', input: { text: 'stdio' }, maxPrice: '0.05' },
      })
      expect(JSON.parse(text(called))).toMatchObject({ output: { text: 'stdio' } })
    } finally {
      await client.close()
    }
  })
})
