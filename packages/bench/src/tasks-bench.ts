import { generateKeyPair } from '@agentmesh/protocol'
import { Mesh } from '@agentmesh/sdk'
import { fork } from 'node:child_process'
import { once } from 'node:events'
import Fastify from 'fastify'
import { resolveNodeConfig, startNode } from 'agentmesh/internal'
import { alternatingClosedLoops, closedLoop, openLoop, type LoadResult } from './load.js'
import type { BenchFigure } from './measure.js'

const CONCURRENCY = 16

function figure(name: string, result: LoadResult, baseline?: BenchFigure): BenchFigure {
  const f: BenchFigure = {
    suite: 'tasks',
    name,
    opsPerSec: result.opsPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
  }
  if (result.errors > 0) f.name += ` (${result.errors} errors)`
  return baseline ? { ...f, baseline: baseline.name, ratio: f.opsPerSec / baseline.opsPerSec } : f
}

/**
 * Forks the echo agent as a process of its own (an agent is a program apart from the node),
 * answering after `delayMs`, and waits until it is connected.
 */
export async function forkEchoAgent(
  url: string,
  capabilityId: string,
  delayMs = 0,
): Promise<{ close: () => Promise<void> }> {
  const args = [url, capabilityId, String(delayMs)]
  const child = fork(new URL('./echo-agent-process.js', import.meta.url), args, {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`The benchmark's echo agent exited with code ${String(code)}`))
    child.once('exit', onExit)
    child.once('message', (message) => {
      child.off('exit', onExit)
      if (message === 'ready') resolve()
      else reject(new Error(`The benchmark's echo agent said ${JSON.stringify(message)}`))
    })
  })
  return {
    close: async () => {
      if (child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.send('close')
      await exited
    },
  }
}

/**
 * Tasks end to end — HTTP submit with `wait` → WebSocket SDK agent echo (in its own process) →
 * completed and settled — against a bare Fastify echo route measured in the same run: maximum
 * throughput (closed loops of the two in turn, three rounds each), then latency at half of each
 * one's maximum (open loop).
 */
export async function tasksBench(durationMs: number): Promise<BenchFigure[]> {
  const runMs = Math.max(1000, durationMs * 4)
  const bare = Fastify()
  bare.post('/echo', (request) => request.body)
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 })
  const echoBody = JSON.stringify({ text: 'hello' })
  const bareCall = async () => {
    const response = await fetch(`${bareUrl}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: echoBody,
    })
    await response.text()
  }

  const config = resolveNodeConfig(
    { memory: true, port: 0, dashboard: false, logLevel: 'error', grant: '1000000 USD' },
    {},
  )
  const node = await startNode({ ...config, prettyLogs: false })
  const agent = await forkEchoAgent(node.url, 'bench.echo')
  const client = await Mesh.connect(node.url, { key: generateKeyPair() })
  const taskBody = JSON.stringify({
    capability: 'bench.echo',
    input: { text: 'hello' },
    maxPrice: { amount: '0.01', currency: 'USD' },
  })
  const taskCall = async () => {
    const response = await fetch(`${node.url}/v1/tasks?wait=10000`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}` },
      body: taskBody,
    })
    const task = (await response.json()) as { state?: string }
    if (task.state !== 'completed') throw new Error(`task ${task.state ?? response.status}`)
  }
  try {
    await closedLoop(bareCall, CONCURRENCY, 300)
    await closedLoop(taskCall, CONCURRENCY, 300)
    // Maximum throughput: the two in turn, three rounds each, summed over the rounds.
    const [bareRun, taskRun] = await alternatingClosedLoops(
      [bareCall, taskCall],
      CONCURRENCY,
      runMs / 2,
      3,
    )
    const bareMax = figure('bare Fastify echo, max (closed loop)', bareRun!)
    const taskMax = figure('task end to end, max (closed loop)', taskRun!, bareMax)
    const bareHalf = figure(
      `bare Fastify echo at ${Math.round(bareMax.opsPerSec / 2)}/s`,
      await openLoop(bareCall, bareMax.opsPerSec / 2, runMs),
    )
    // At a fixed offered rate ops/s only restates the rate: compare p50/p99 with the row above.
    const taskHalf = figure(
      `task end to end at ${Math.round(taskMax.opsPerSec / 2)}/s`,
      await openLoop(taskCall, taskMax.opsPerSec / 2, runMs),
    )
    return [bareMax, taskMax, bareHalf, taskHalf]
  } finally {
    await client.close()
    await agent.close()
    await node.stop()
    await bare.close()
  }
}
