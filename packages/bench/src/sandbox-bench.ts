import { generateKeyPair, type KeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { createQuickJsSandbox, resolveNodeConfig, startNode } from 'agentmesh/internal'
import { benchEchoCapability, echoTask } from './bench-fleet.js'
import { alternatingClosedLoops, type LoadResult } from './load.js'
import { percentile, type BenchFigure } from './measure.js'
import { forkEchoAgent } from './tasks-bench.js'

/** The same trivial agent the forked SDK agent runs (echo-agent-process.ts), as a hosted module. */
const TRIVIAL_AGENT = `import { defineAgent } from '@agentmesh/sdk'
export default defineAgent({
  name: 'echo', description: 'Echoes',
  capabilities: [{ id: 'bench.hosted', handler: (input) => ({ text: input.text }) }],
})`

const limits = { memoryBytes: 32 * 1024 * 1024, cpuMs: 1000, wallMs: 5000, stackBytes: 256 * 1024 }
const CONCURRENCY = 8

const host = {
  progress: () => undefined,
  log: () => undefined,
  call: () => Promise.reject(new Error('No calls in the benchmark')),
  fetch: () => Promise.reject(new Error('No fetch in the benchmark')),
}

type RunningNode = Awaited<ReturnType<typeof startNode>>

const once = (name: string, ms: number): BenchFigure => ({
  suite: 'sandbox',
  name: `${name} (ms in p50)`,
  opsPerSec: 1000 / ms,
  p50Ms: ms,
})

function figure(name: string, result: LoadResult, baseline?: BenchFigure): BenchFigure {
  const f: BenchFigure = {
    suite: 'sandbox',
    name: result.errors > 0 ? `${name} (${result.errors} errors)` : name,
    opsPerSec: result.opsPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
  }
  return baseline ? { ...f, baseline: baseline.name, ratio: f.opsPerSec / baseline.opsPerSec } : f
}

/** The engine alone: a pool of two workers started, then the trivial guest called back to back. */
async function engineFigures(durationMs: number): Promise<BenchFigure[]> {
  const started = performance.now()
  const sandbox = await createQuickJsSandbox({ workers: 2 })
  const startupMs = performance.now() - started
  try {
    const latencies: number[] = []
    const until = performance.now() + durationMs
    const call = {
      codeHash: 'bench',
      code: TRIVIAL_AGENT,
      capabilityId: 'bench.hosted',
      input: { text: 'hi' },
      params: {},
      limits,
    }
    const loop = async () => {
      while (performance.now() < until) {
        const t = performance.now()
        const outcome = await sandbox.run({ ...call, signal: new AbortController().signal }, host)
        if (!outcome.ok) throw new Error(`The trivial agent failed: ${outcome.code}`)
        latencies.push(performance.now() - t)
      }
    }
    const t0 = performance.now()
    await Promise.all(Array.from({ length: CONCURRENCY }, loop))
    const elapsed = performance.now() - t0
    latencies.sort((a, b) => a - b)
    return [
      once('engine start-up, 2 workers', startupMs),
      {
        suite: 'sandbox',
        name: 'trivial guest call (engine only, 8 at a time)',
        opsPerSec: (latencies.length * 1000) / elapsed,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
      },
    ]
  } finally {
    await sandbox.stop()
  }
}

/** Uploads the trivial agent under `key`; answers when its first task has completed. */
async function deployHosted(node: RunningNode, key: KeyPair, clientToken: string): Promise<void> {
  const owner = await Mesh.connect(node.url, { key, roles: ['agent'] })
  try {
    await owner.hosted.create({
      code: TRIVIAL_AGENT,
      card: {
        did: key.did,
        name: 'bench-hosted-echo',
        description: 'Echoes, hosted (benchmark)',
        version: 1,
        capabilities: [benchEchoCapability('bench.hosted')],
      },
    })
  } finally {
    await owner.close()
  }
  await echoTask(node.url, clientToken, 'bench.hosted')
}

/**
 * Hosted agents: the engine's start-up and calls on its own; then, on one node, how long a
 * hosted agent takes from upload to its first answered task on a node whose sandbox has not
 * started yet (engine start, loading the code, the call), and tasks end to end (HTTP submit with
 * `?wait`, settled) to the trivial agent hosted beside the same agent connected over the SDK from
 * a process of its own, in alternating closed loops of one run (the ratio is hosted over SDK).
 */
export async function sandboxBench(
  durationMs: number,
  onProgress: (fraction: number) => void = () => {},
): Promise<BenchFigure[]> {
  const figures = await engineFigures(durationMs)
  onProgress(0.2)
  const config = resolveNodeConfig(
    { memory: true, port: 0, dashboard: false, logLevel: 'error', grant: '1000000 USD' },
    {},
  )
  const node = await startNode({
    ...config,
    prettyLogs: false,
    rateLimit: { principalMax: 1e9, ipMax: 1e9, windowMs: 60_000 },
  })
  const closers: (() => Promise<unknown>)[] = []
  try {
    const client = await Mesh.connect(node.url, { key: generateKeyPair() })
    closers.push(() => client.close())
    const sdkAgent = await forkEchoAgent(node.url, 'bench.sdk')
    closers.push(() => sdkAgent.close())
    const t0 = performance.now()
    await deployHosted(node, generateKeyPair(), client.token)
    figures.push(once('hosted agent, upload to first answered task', performance.now() - t0))
    onProgress(0.4)
    const sdk = () => echoTask(node.url, client.token, 'bench.sdk')
    const hosted = () => echoTask(node.url, client.token, 'bench.hosted')
    await alternatingClosedLoops([sdk, hosted], CONCURRENCY, 200, 1)
    const [s, h] = await alternatingClosedLoops([sdk, hosted], CONCURRENCY, durationMs, 3)
    const sdkFigure = figure('trivial agent over the SDK, task end to end (8 at a time)', s!)
    figures.push(
      sdkFigure,
      figure('same agent hosted in the sandbox, task end to end', h!, sdkFigure),
    )
    onProgress(1)
    return figures
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {})
    await node.stop()
  }
}
