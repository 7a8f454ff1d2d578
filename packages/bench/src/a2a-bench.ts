import { TaskState, type Message, type SendMessageRequest } from '@a2a-js/sdk'
import {
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client'
import { generateKeyPair } from '@agentmesh/protocol'
import { defineAgent, Mesh } from '@agentmesh/sdk'
import { resolveNodeConfig, startNode } from 'agentmesh/internal'
import { startA2AEchoServer } from './a2a-echo-server.js'
import { benchEchoCapability } from './bench-fleet.js'
import { closedLoop, type LoadResult } from './load.js'
import type { BenchFigure } from './measure.js'

const CONCURRENCY = 16
const CAPABILITY = 'bench.echo'

function figure(name: string, result: LoadResult, baseline?: BenchFigure): BenchFigure {
  const f: BenchFigure = {
    suite: 'a2a',
    name: result.errors > 0 ? `${name} (${result.errors} errors)` : name,
    opsPerSec: result.opsPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
  }
  return baseline ? { ...f, baseline: baseline.name, ratio: f.opsPerSec / baseline.opsPerSec } : f
}

/** An official A2A client; with a token, it sends it as a bearer on every call. */
function a2aClient(url: string, token?: string): Promise<Client> {
  const fetchImpl: typeof fetch = (input, init) => {
    if (token === undefined) return fetch(input, init)
    const headers = new Headers(init?.headers)
    headers.set('authorization', `Bearer ${token}`)
    return fetch(input, { ...init, headers })
  }
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
    }),
  )
  return factory.createFromUrl(url)
}

/** A blocking `SendMessage` with `{text}` as its data part, a new message id each time. */
function echoRequest(): SendMessageRequest {
  const message: Message = {
    messageId: crypto.randomUUID(),
    contextId: '',
    taskId: '',
    role: 1,
    parts: [
      {
        content: { $case: 'data', value: { text: 'hello' } },
        metadata: undefined,
        filename: '',
        mediaType: '',
      },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  }
  return {
    tenant: '',
    message,
    configuration: {
      acceptedOutputModes: [],
      taskPushNotificationConfig: undefined,
      returnImmediately: false,
    },
    metadata: undefined,
  }
}

/** One blocking echo through `client`; throws unless it answers a completed task. */
async function echoCall(client: Client): Promise<void> {
  const result = await client.sendMessage(echoRequest())
  const state = 'status' in result ? result.status?.state : undefined
  if (state !== TaskState.TASK_STATE_COMPLETED) throw new Error(`A2A task state "${state}"`)
}

/**
 * A2A interop cost: the official `@a2a-js/sdk` client sending blocking messages, in the same run,
 * to (1) the official `@a2a-js/sdk` express server with an echo executor and (2) an SDK echo
 * agent on an in-process node through its A2A endpoint `/a2a/:agentId` (a paid task, escrowed and
 * settled like any other). Tasks/s in a closed loop at a fixed concurrency, with p50/p99.
 */
export async function a2aBench(
  durationMs: number,
  onProgress: (fraction: number) => void = () => {},
): Promise<BenchFigure[]> {
  const runMs = Math.max(100, durationMs * 4)
  const warmMs = Math.min(300, runMs)
  const official = await startA2AEchoServer()
  const config = resolveNodeConfig(
    { memory: true, port: 0, dashboard: false, logLevel: 'error', grant: '1000000 USD' },
    {},
  )
  const node = await startNode({
    ...config,
    prettyLogs: false,
    rateLimit: { principalMax: 1e9, ipMax: 1e9, windowMs: 60_000 },
  }).catch(async (error: unknown) => {
    await official.close()
    throw error
  })
  const key = generateKeyPair()
  const agent = defineAgent({
    name: 'bench-a2a-echo',
    description: 'Echoes for the A2A benchmark',
    concurrency: 256,
    capabilities: [
      {
        ...benchEchoCapability(CAPABILITY),
        handler: (input: { text: string }) => ({ text: input.text }),
      },
    ],
  })
  let mesh: Mesh | undefined
  try {
    await agent.connect(node.url, { key, reconnect: false })
    mesh = await Mesh.connect(node.url, { key: generateKeyPair() })
    const officialClient = await a2aClient(official.url)
    const meshClient = await a2aClient(`${node.url}/a2a/${key.did}/`, mesh.token)
    const officialCall = () => echoCall(officialClient)
    const meshCall = () => echoCall(meshClient)
    await closedLoop(officialCall, CONCURRENCY, warmMs)
    await closedLoop(meshCall, CONCURRENCY, warmMs)
    onProgress(0.2)
    const baseline = figure(
      `official @a2a-js/sdk server, echo (closed loop, ${CONCURRENCY} in flight)`,
      await closedLoop(officialCall, CONCURRENCY, runMs),
    )
    onProgress(0.6)
    const meshFigure = figure(
      `mesh /a2a/:agentId, paid echo task (closed loop, ${CONCURRENCY} in flight)`,
      await closedLoop(meshCall, CONCURRENCY, runMs),
      baseline,
    )
    onProgress(1)
    return [baseline, meshFigure]
  } finally {
    await mesh?.close()
    await agent.close()
    await node.stop()
    await official.close()
  }
}
