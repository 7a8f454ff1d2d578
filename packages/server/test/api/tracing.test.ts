import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveNodeConfig, startNode, type RunningNode } from '../../src/node.js'
import { echo, echoCapability, startAgent } from '../helpers/agents.js'

interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[]
  status?: { code?: number }
}

/** An OTLP/HTTP receiver on loopback: keeps every span posted to /v1/traces (JSON). */
async function startReceiver(): Promise<{ url: string; spans: OtlpSpan[]; server: Server }> {
  const spans: OtlpSpan[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end()
        return
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[]
      }
      for (const resource of body.resourceSpans)
        for (const scope of resource.scopeSpans) spans.push(...scope.spans)
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, spans, server }
}

const attribute = (span: OtlpSpan, key: string) => {
  const found = span.attributes.find((a) => a.key === key)?.value
  return found?.stringValue ?? found?.intValue
}

describe('task traces over OTLP', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  let node: RunningNode

  beforeAll(async () => {
    receiver = await startReceiver()
    const config = resolveNodeConfig(
      { memory: true, port: 0, dashboard: false, logLevel: 'silent' },
      { AGENTMESH_OTLP_URL: receiver.url },
    )
    expect(config.observability.otlpUrl).toBe(receiver.url)
    node = await startNode({
      ...config,
      prettyLogs: false,
      grant: { amount: '1', currency: 'USD' },
    })
  })
  afterAll(async () => {
    await node.stop()
    await new Promise((resolve) => receiver.server.close(resolve))
  })

  it('exports the spans of a task’s life under the trace id the task shows', async () => {
    const { agent } = await startAgent(node.url, echoCapability('trace.echo'), echo)
    const client = await Mesh.connect(node.url, { key: generateKeyPair() })
    const task = await client.submit('trace.echo', { text: 'hi' }, { maxPrice: '0.05', wait: 5000 })
    expect(task.state).toBe('completed')
    expect(task.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect((await client.task(task.id)).traceId).toBe(task.traceId)
    await client.close()
    await agent.close()

    await node.tracer.flush()
    const spans = receiver.spans.filter((s) => s.traceId === task.traceId)
    const names = spans.map((s) => s.name)
    for (const name of [
      'task.submit',
      'task.reserve',
      'task.dispatch',
      'task.attempt',
      'task.settle',
    ])
      expect(names).toContain(name)
    const byName = new Map(spans.map((s) => [s.name, s]))
    const submit = byName.get('task.submit')!
    expect(submit.parentSpanId ?? '').toBe('')
    expect(attribute(submit, 'agentmesh.task.id')).toBe(task.id)
    expect(byName.get('task.reserve')!.parentSpanId).toBe(submit.spanId)
    const dispatch = byName.get('task.dispatch')!
    expect(dispatch.parentSpanId).toBe(submit.spanId)
    expect(attribute(dispatch, 'agentmesh.task.state')).toBe('completed')
    expect(byName.get('task.attempt')!.parentSpanId).toBe(dispatch.spanId)
    expect(attribute(byName.get('task.attempt')!, 'agentmesh.agent.id')).toBe(task.providerId)
    expect(byName.get('task.settle')!.parentSpanId).toBe(dispatch.spanId)
  })
})
