import { resolveNodeConfig, startNode } from 'agentmesh/internal'
import { echoTask, startFleet } from './bench-fleet.js'
import { closedLoop, type LoadResult } from './load.js'
import type { BenchFigure } from './measure.js'

const CONCURRENCY = 8
const CAPABILITY = 'bench.echo'
const STEPS = 3

function figure(name: string, result: LoadResult, baseline?: BenchFigure): BenchFigure {
  const f: BenchFigure = {
    suite: 'pipelines',
    name: result.errors > 0 ? `${name} (${result.errors} errors)` : name,
    opsPerSec: result.opsPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
  }
  return baseline ? { ...f, baseline: baseline.name, ratio: f.opsPerSec / baseline.opsPerSec } : f
}

/**
 * A three-step pipeline (each step's input the previous step's output) run end to end with
 * `?wait`, against the same three tasks submitted one after another by the client, in the same
 * run: the ratio is what the pipeline engine costs over doing it by hand.
 */
export async function pipelinesBench(
  durationMs: number,
  onProgress: (fraction: number) => void = () => {},
): Promise<BenchFigure[]> {
  const runMs = Math.max(1000, durationMs * 4)
  const config = resolveNodeConfig(
    { memory: true, port: 0, dashboard: false, logLevel: 'error', grant: '1000000 USD' },
    {},
  )
  const node = await startNode({
    ...config,
    prettyLogs: false,
    rateLimit: { principalMax: 1e9, ipMax: 1e9, windowMs: 60_000 },
  })
  const fleet = await startFleet(node.url, { capabilityId: CAPABILITY, agents: 1, clients: 1 })
  const token = fleet.clients[0]!.token
  const steps = Array.from({ length: STEPS }, (_, i) => ({
    id: `s${i}`,
    capability: CAPABILITY,
    input: i === 0 ? { $ref: '/input' } : { $ref: `/steps/s${i - 1}/output` },
    ...(i > 0 ? { needs: [`s${i - 1}`] } : {}),
  }))
  const body = JSON.stringify({
    definition: { budget: { amount: '1', currency: 'USD' }, steps },
    input: { text: 'hello' },
  })
  const pipelineCall = async () => {
    const response = await fetch(`${node.url}/v1/pipelines/runs?wait=10000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    })
    const run = (await response.json()) as { state?: string }
    if (run.state !== 'completed') throw new Error(`pipeline ${run.state ?? response.status}`)
  }
  const byHand = async () => {
    for (let i = 0; i < STEPS; i++) await echoTask(node.url, token, CAPABILITY)
  }
  try {
    await closedLoop(byHand, CONCURRENCY, 300)
    await closedLoop(pipelineCall, CONCURRENCY, 300)
    onProgress(0.1)
    const hand = figure(
      `${STEPS} tasks in sequence by the client (closed loop)`,
      await closedLoop(byHand, CONCURRENCY, runMs),
    )
    onProgress(0.55)
    const pipeline = figure(
      `${STEPS}-step pipeline end to end (closed loop)`,
      await closedLoop(pipelineCall, CONCURRENCY, runMs),
      hand,
    )
    onProgress(1)
    return [hand, pipeline]
  } finally {
    await fleet.close()
    await node.stop()
  }
}
